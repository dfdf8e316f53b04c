import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeVideo } from "../../local/media/probe-video.js";
import { exampleImagePath } from "../../local/stack/local-app.js";
import { makeImageOf } from "../ingest/support/images.js";
import { testDynamoEndpoint, testS3Client } from "../support/aws-clients.js";
import { type CliStack, repoRoot, runProcess, startCliStack } from "./support/cli-stack.js";

type Status = {
  task_id: string;
  status: string;
  phase: string;
  credits: number;
  metadata?: Record<string, string>;
};

// Each run is a Node process starting tsx, and each video a real ffmpeg render: slow on a busy machine.
describe("the hailuo CLI", { timeout: 180_000 }, () => {
  let cli: CliStack;
  let folder: string;

  beforeAll(async () => {
    cli = await startCliStack();
    folder = await mkdtemp(join(tmpdir(), "hailuo-cli-"));
  });
  afterAll(async () => {
    await cli?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  const uploadedImages = async () =>
    (await testS3Client().send(new ListObjectsV2Command({ Bucket: cli.stack.bucket, Prefix: "uploads/" })))
      .KeyCount ?? 0;
  const taskCount = async () =>
    (await cli.stack.deps.tasks.listTasks(cli.stack.tenant.id, { limit: 100 })).tasks.length;

  it("generate uploads the image, follows the phases and leaves a playable MP4", async () => {
    // Prepare
    const target = join(folder, "dog.mp4");

    // Act
    const run = await cli.hailuo([
      "generate",
      exampleImagePath,
      "-p",
      "The dog turns its head",
      "-o",
      target,
      "--interval",
      "200",
    ]);

    // Assess: plain lines (stdout is a pipe), one per phase, ending with the saved file.
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines.some((line) => /^\S+ {2}(queued|submitted|generating) {2}\d+\.\d s$/.test(line))).toBe(true);
    expect(lines.at(-2)).toMatch(/ {2}done {2}\d+\.\d s$/);
    expect(lines.at(-1)).toMatch(/^saved .*dog\.mp4 \(\d+\.\d MB, task \S+, 30 credits\)$/);
    expect(run.stdout).not.toContain("\u001b[");
    const video = await probeVideo(target);
    expect(video).toMatchObject({ codec: "h264", width: 1366, height: 768 });
    expect(video.durationSeconds).toBeCloseTo(6, 1);
    expect(await uploadedImages()).toBe(1);
  });

  it("--json prints the finished task and the file, and status, list, usage and cancel speak of it", async () => {
    // Prepare: a gateway without the upload route, so the image goes inline as a data: URL.
    cli.uploadsRoute = false;
    const uploadsBefore = await uploadedImages();

    // Act
    const target = join(folder, "json.mp4");
    const args = [
      "generate",
      exampleImagePath,
      "-p",
      "JSON please",
      "-o",
      target,
      "--json",
      "--interval",
      "200",
    ];
    const run = await cli.hailuo(args).finally(() => {
      cli.uploadsRoute = true;
    });

    // Assess
    expect(run.code).toBe(0);
    const done = JSON.parse(run.stdout) as Status & { file: string; bytes: number };
    expect(done).toMatchObject({ status: "completed", phase: "done", credits: 30, file: target });
    expect(done.bytes).toBe((await stat(target)).size);
    expect(await uploadedImages()).toBe(uploadsBefore);

    const status = await cli.hailuo(["status", done.task_id, "--json"]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      task_id: done.task_id,
      status: "completed",
      prompt: "JSON please",
    });
    const plainStatus = await cli.hailuo(["status", done.task_id]);
    expect(plainStatus.stdout).toContain(`task      ${done.task_id}`);
    expect(plainStatus.stdout).toContain("status    completed (done)");

    const listed = await cli.hailuo(["list", "--json", "--limit", "1"]);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { tasks: Status[] }).tasks.map((task) => task.task_id)).toEqual([
      done.task_id,
    ]);
    const failedOnly = await cli.hailuo(["list", "--status", "FAILED"]);
    expect(failedOnly).toMatchObject({ code: 0, stdout: "no tasks\n" });

    const usage = await cli.hailuo(["usage", "--json"]);
    expect(usage.code).toBe(0);
    expect(JSON.parse(usage.stdout)).toMatchObject({
      credits_spent: expect.any(Number),
      tasks: { failed: 0 },
    });
    const cancel = await cli.hailuo(["cancel", done.task_id]);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toContain("(HTTP 409 conflict)");
  });

  it("batch makes one MP4 per image, and a second run creates nothing new", async () => {
    // Prepare: a JPEG, a PNG, and a file that is not an image.
    const images = join(folder, "images");
    const videos = join(folder, "videos");
    await mkdir(images, { recursive: true });
    await copyFile(exampleImagePath, join(images, "a-dog.jpg"));
    await writeFile(join(images, "b-pattern.png"), await makeImageOf("png", 640, 400));
    await writeFile(join(images, "notes.txt"), "not an image");
    const args = ["batch", images, "-p", "Slow push in", "-o", videos, "--interval", "200"];

    // Act
    const first = await cli.hailuo(args);
    const tasksAfterFirst = await taskCount();
    const second = await cli.hailuo(args);
    // A run stopped after its tasks were made but before a video was saved: the task is found again.
    await rm(join(videos, "b-pattern.mp4"));
    const third = await cli.hailuo([...args, "--json"]);

    // Assess
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("2 done, 0 already done, 0 failed");
    expect((await readdir(videos)).sort()).toEqual(["a-dog.mp4", "b-pattern.mp4"]);
    await expect(probeVideo(join(videos, "b-pattern.mp4"))).resolves.toMatchObject({ codec: "h264" });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("0 done, 2 already done, 0 failed");
    expect(third.code).toBe(0);
    expect(JSON.parse(third.stdout)).toMatchObject({ done: 1, skipped: 1, failed: 0 });
    expect(await taskCount()).toBe(tasksAfterFirst);
    await expect(probeVideo(join(videos, "b-pattern.mp4"))).resolves.toMatchObject({ codec: "h264" });
  });

  it("says exit code 2 for a command line it does not understand, and makes nothing", async () => {
    // Prepare
    const before = await taskCount();

    // Act: through npx, as a person runs it (the package's bin, on the project's Node).
    const missingPrompt = await runProcess("npx", ["hailuo", "generate", exampleImagePath], {
      cwd: repoRoot,
      env: { ...process.env, HAILUO_API_URL: cli.url, HAILUO_API_KEY: cli.stack.apiKey },
    });
    const tenSecondsAt1080 = await cli.hailuo([
      "generate",
      exampleImagePath,
      "-p",
      "x",
      "--resolution",
      "1080p",
      "--duration",
      "10",
    ]);
    const unknownCommand = await cli.hailuo(["render"]);
    const badLimit = await cli.hailuo(["list", "--limit", "zero"]);

    // Assess
    expect(missingPrompt.code).toBe(2);
    expect(missingPrompt.stderr).toContain("required option '-p, --prompt <text>' not specified");
    expect(tenSecondsAt1080.code).toBe(2);
    expect(tenSecondsAt1080.stderr).toContain("1080P allows 6 s only");
    expect(unknownCommand.code).toBe(2);
    expect(badLimit.code).toBe(2);
    expect(await taskCount()).toBe(before);
  });

  it("says exit code 1 with the API's message and type for a key the API does not know", async () => {
    // Prepare: what the API itself says to that key.
    const answer = await fetch(`${cli.url}/api/v1/tasks`, {
      headers: { authorization: "Bearer hk_live_nobody" },
    });
    const { error } = (await answer.json()) as { error: { message: string; type: string } };

    // Act
    const run = await cli.hailuo(["list", "--key", "hk_live_nobody"]);
    const asJson = await cli.hailuo([
      "status",
      "01ARZ3NDEKTSV4RRFFQ69G5FAV",
      "--json",
      "--key",
      "hk_live_nobody",
    ]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`hailuo: ${error.message} (HTTP 401 authentication_error)\n`);
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stdout)).toEqual({
      error: { code: 401, message: error.message, type: "authentication_error" },
    });
  });

  it("says exit code 1 for a task it cannot find", async () => {
    const status = await cli.hailuo(["status", "01ARZ3NDEKTSV4RRFFQ69G5FAV"]);
    const cancel = await cli.hailuo(["cancel", "01ARZ3NDEKTSV4RRFFQ69G5FAV"]);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/^hailuo: .+ \(HTTP 404 not_found\)\n$/);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toContain("(HTTP 404 not_found)");
  });

  it("keys runs the keys admin against the table it is pointed at", async () => {
    const run = await cli.hailuo(["keys", "list", "--json", "--tenant", cli.stack.tenant.id], {
      env: { TABLE_NAME: cli.stack.tableName, DYNAMODB_ENDPOINT: testDynamoEndpoint() },
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([expect.objectContaining({ tenant_id: cli.stack.tenant.id })]);
  });
});

describe("the hailuo CLI and a task that fails", { timeout: 120_000 }, () => {
  let cli: CliStack;
  beforeAll(async () => {
    cli = await startCliStack({ simulator: { failureRate: 1, generationMs: 100 } });
  });
  afterAll(async () => {
    await cli?.close();
  });

  it("exits 1 and says the task's error, leaving no file", async () => {
    const folder = await mkdtemp(join(tmpdir(), "hailuo-cli-failed-"));
    const target = join(folder, "never.mp4");
    try {
      const run = await cli.hailuo([
        "generate",
        exampleImagePath,
        "-p",
        "Doomed",
        "-o",
        target,
        "--interval",
        "200",
      ]);
      const asJson = await cli.hailuo([
        "generate",
        exampleImagePath,
        "-p",
        "Doomed",
        "-o",
        target,
        "--json",
        "--interval",
        "200",
      ]);

      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/status {4}failed \(failed\)/);
      expect(run.stderr).toMatch(/hailuo: task \S+ failed: .+/);
      expect(asJson.code).toBe(1);
      expect(JSON.parse(asJson.stdout)).toMatchObject({
        status: "failed",
        credits: 30,
        error: { code: expect.any(String) },
      });
      await expect(stat(target)).rejects.toThrow();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe("the hailuo CLI and a task still waiting for its upstream", { timeout: 120_000 }, () => {
  let cli: CliStack;
  beforeAll(async () => {
    // No upstream at all: a task stays queued, retried with backoff, until it is canceled.
    cli = await startCliStack({ simulator: false });
  });
  afterAll(async () => {
    await cli?.close();
  });

  it("cancel stops it and says so; a second cancel answers the same", async () => {
    // Prepare
    const created = await fetch(`${cli.url}/api/v1/videos/generations`, {
      method: "POST",
      headers: { authorization: `Bearer ${cli.stack.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        prompt: "Never rendered",
        image: `data:image/jpeg;base64,${(await readFile(exampleImagePath)).toString("base64")}`,
      }),
    });
    const { data } = (await created.json()) as { data: { task_id: string } };

    // Act
    const first = await cli.hailuo(["cancel", data.task_id]);
    const again = await cli.hailuo(["cancel", data.task_id, "--json"]);

    // Assess
    expect(first).toMatchObject({ code: 0, stdout: `${data.task_id} canceled; its credits are back\n` });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ task_id: data.task_id, status: "canceled" });
  });
});
