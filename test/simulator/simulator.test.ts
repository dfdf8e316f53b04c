import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ffmpegPath } from "../../local/media/ffmpeg-paths.js";
import { probeVideo } from "../../local/media/probe-video.js";
import { runProcess } from "../../local/media/run-process.js";
import { type RunningSimulator, startSimulator } from "../../local/simulator/create-simulator.js";
import { type LocalHttpServer, startLocalHttpServer } from "../support/local-http-server.js";
import {
  apiKey,
  createTask,
  createTaskId,
  errorBodyOf,
  getTask,
  type TaskData,
  waitForEnd,
} from "./simulator-client.js";

const exampleImagePath = fileURLToPath(new URL("../../local/assets/example.jpg", import.meta.url));
const generationMs = 500;

const downloadVideo = async (url: string, folder: string): Promise<{ response: Response; path: string }> => {
  const response = await fetch(url);
  const path = join(folder, `download-${Date.now()}.mp4`);
  // An error body is left unread for the caller to inspect.
  if (response.ok) await writeFile(path, Buffer.from(await response.arrayBuffer()));
  return { response, path };
};

describe("simulator", () => {
  let workDir: string;
  let dataDir: string;
  let outside: LocalHttpServer;
  let simulator: RunningSimulator;
  let completed: TaskData;
  const logLines: string[] = [];

  const request = { model: "hailuo/2-3-image-to-video-standard", prompt: "A slow sunset [Push in]" };

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "simulator-test-"));
    dataDir = join(workDir, "data");
    const exampleImage = await readFile(exampleImagePath);
    outside = await startLocalHttpServer({
      "/example.jpg": (_request, response) =>
        response.writeHead(200, { "content-type": "image/jpeg" }).end(exampleImage),
      "/not-an-image.jpg": (_request, response) =>
        response.writeHead(200, { "content-type": "image/jpeg" }).end("<html>nope</html>"),
      "/callback": (_request, response) => response.writeHead(204).end(),
    });
    simulator = await startSimulator({
      generationMs,
      apiKey,
      dataDir,
      logger: (line) => logLines.push(line),
    });
  });

  afterAll(async () => {
    await simulator?.close();
    await outside?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it("renders a 6 s 1366×768 H.264 MP4 for a 16:9 image", async () => {
    const taskId = await createTaskId(simulator.url, {
      ...request,
      image: `${outside.url}/example.jpg`,
      duration: "6",
      resolution: "768P",
      callback_url: `${outside.url}/callback`,
    });

    completed = await waitForEnd(simulator.url, taskId);

    expect(completed).toEqual({
      task_id: taskId,
      status: "completed",
      progress: 100,
      model: request.model,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      video_url: expect.stringMatching(
        new RegExp(`^${simulator.url}/files/${taskId}\\.mp4\\?expires=\\d+&sig=`),
      ),
      output: { video_url: completed.video_url },
    });
    expect(Date.parse(completed.updated_at) - Date.parse(completed.created_at)).toBeGreaterThanOrEqual(
      generationMs,
    );
    const { response, path } = await downloadVideo(completed.video_url ?? "", workDir);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("video/mp4");
    expect(Number(response.headers.get("content-length"))).toBeGreaterThan(10_000);
    const video = await probeVideo(path);
    expect(video).toMatchObject({ codec: "h264", pixelFormat: "yuv420p", width: 1366, height: 768 });
    expect(video.durationSeconds).toBeCloseTo(6, 1);
    expect(video.formatName).toContain("mp4");
  });

  it("posts { task_id, status } to the callback_url when the task ends", async () => {
    const callback = outside.received.find((received) => received.path === "/callback");

    expect(callback?.method).toBe("POST");
    expect(JSON.parse(callback?.body ?? "null")).toEqual({ task_id: completed.task_id, status: "completed" });
  });

  it("renders a portrait data: URL image at 1080P (numbers and any case accepted) as 1080×1920", async () => {
    const portraitPath = join(workDir, "portrait.png");
    await runProcess(ffmpegPath, [
      ...["-hide_banner", "-loglevel", "error", "-y", "-i", exampleImagePath],
      ...["-vf", "crop=608:1080,scale=540:960", "-frames:v", "1", portraitPath],
    ]);
    const image = `data:image/png;base64,${(await readFile(portraitPath)).toString("base64")}`;
    const taskId = await createTaskId(simulator.url, {
      model: "hailuo-2-3",
      prompt: "Portrait",
      image,
      duration: 6,
      resolution: "1080p",
    });

    const task = await waitForEnd(simulator.url, taskId);

    expect(task.status).toBe("completed");
    const { path } = await downloadVideo(task.video_url ?? "", workDir);
    expect(await probeVideo(path)).toMatchObject({ codec: "h264", width: 1080, height: 1920 });
  });

  it("answers 400 invalid_request when 10 s is asked at 1080P", async () => {
    const response = await createTask(simulator.url, {
      ...request,
      image: `${outside.url}/example.jpg`,
      duration: "10",
      resolution: "1080P",
    });

    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body).toEqual(errorBodyOf(400, "invalid_request"));
    expect(body.error.message).toContain("1080P");
  });

  it.each([
    ["a missing prompt", { image: "https://example.com/a.jpg" }, "prompt"],
    ["a duration of 8", { prompt: "x", image: "https://example.com/a.jpg", duration: "8" }, "duration"],
    ["an image that is not a URL", { prompt: "x", image: "ftp://example.com/a.jpg" }, "image"],
    ["an unknown model", { model: "hailuo-02", prompt: "x", image: "https://example.com/a.jpg" }, "model"],
  ])("answers 400 invalid_request naming the field for %s", async (_case, body, field) => {
    const response = await createTask(simulator.url, body);

    expect(response.status).toBe(400);
    const payload = (await response.json()) as { error: { message: string } };
    expect(payload).toEqual(errorBodyOf(400, "invalid_request"));
    expect(payload.error.message).toContain(field);
  });

  it("answers 400 invalid_request for a body that is not JSON", async () => {
    const response = await fetch(`${simulator.url}/api/v1/videos/generations`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: "{not json",
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(errorBodyOf(400, "invalid_request"));
  });

  it("answers 401 authentication_error without a bearer key or with a wrong one", async () => {
    const missing = await fetch(`${simulator.url}/api/v1/tasks/${completed.task_id}`);
    const wrong = await createTask(simulator.url, { ...request, image: "https://example.com/a.jpg" }, "nope");

    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual(errorBodyOf(401, "authentication_error"));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual(errorBodyOf(401, "authentication_error"));
  });

  it("answers 404 not_found for an unknown task", async () => {
    const { status, body } = await getTask(simulator.url, "sim_000000000000000000000000");

    expect(status).toBe(404);
    expect(body).toEqual(errorBodyOf(404, "not_found"));
  });

  it("answers 403 for a download URL with a wrong signature", async () => {
    const tampered = (completed.video_url ?? "").replace(/sig=[0-9a-f]/, (match) =>
      match.endsWith("0") ? "sig=1" : "sig=0",
    );

    const { response } = await downloadVideo(tampered, workDir);

    expect(response.status).toBe(403);
  });

  it("ends failed with image_unreachable when the image cannot be fetched", async () => {
    const taskId = await createTaskId(simulator.url, { ...request, image: `${outside.url}/missing.jpg` });

    const task = await waitForEnd(simulator.url, taskId);

    expect(task).toMatchObject({
      status: "failed",
      error: { code: "image_unreachable", message: expect.any(String) },
    });
    expect(task.video_url).toBeUndefined();
  });

  it("ends failed with invalid_image when the bytes are not a JPEG, PNG or WebP", async () => {
    const taskId = await createTaskId(simulator.url, {
      ...request,
      image: `${outside.url}/not-an-image.jpg`,
    });

    const task = await waitForEnd(simulator.url, taskId);

    expect(task).toMatchObject({ status: "failed", error: { code: "invalid_image" } });
  });

  it("still answers for an old task after a restart on the same dataDir, with a fresh download URL", async () => {
    await simulator.close();
    simulator = await startSimulator({ generationMs, apiKey, dataDir });

    const { status, body } = await getTask(simulator.url, completed.task_id);

    expect(status).toBe(200);
    const task = (body as { data: TaskData }).data;
    expect(task).toMatchObject({ task_id: completed.task_id, status: "completed" });
    expect(task.video_url?.startsWith(`${simulator.url}/files/`)).toBe(true);
    const { response } = await downloadVideo(task.video_url ?? "", workDir);
    expect(response.status).toBe(200);
  });

  it("answers 403 once the download URL has expired", async () => {
    const shortLived = await startSimulator({ apiKey, dataDir, downloadTtlMs: 1 });
    try {
      const { body } = await getTask(shortLived.url, completed.task_id);
      const videoUrl = (body as { data: TaskData }).data.video_url ?? "";

      const { response } = await downloadVideo(videoUrl, workDir);

      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({
        error: { code: 403, message: expect.stringContaining("expired"), type: "forbidden" },
      });
    } finally {
      await shortLived.close();
    }
  });

  it("resumes a task left IN_PROGRESS when it is restarted", async () => {
    const resumeDir = join(workDir, "resume-data");
    const first = await startSimulator({ generationMs: 1500, apiKey, dataDir: resumeDir });
    const taskId = await createTaskId(first.url, { ...request, image: `${outside.url}/example.jpg` });
    await first.close();
    const second = await startSimulator({ generationMs: 1500, apiKey, dataDir: resumeDir });
    try {
      const task = await waitForEnd(second.url, taskId);

      expect(task.status).toBe("completed");
    } finally {
      await second.close();
    }
  });
});

describe("simulator fault injection", () => {
  const image = "data:image/png;base64,iVBORw0KGgo=";

  it("ends generations failed with a documented reason when failureRate is 1", async () => {
    const simulator = await startSimulator({ generationMs: 100, failureRate: 1 });
    try {
      const exampleJpeg = await readFile(exampleImagePath);
      const taskId = await createTaskId(simulator.url, {
        prompt: "x",
        image: `data:image/jpeg;base64,${exampleJpeg.toString("base64")}`,
      });

      const task = await waitForEnd(simulator.url, taskId);

      expect(task.status).toBe("failed");
      expect(["content_moderation", "generation_failed"]).toContain(task.error?.code);
      expect(task.error?.message).toMatch(/content moderation|please retry/);
    } finally {
      await simulator.close();
    }
  });

  it("answers 429 with Retry-After: 1 or 500 when errorRate is 1, but never on /health", async () => {
    // Each injected error draws twice: whether to fail, then 429 (< 0.5) or 500.
    const draws = [0, 0.2, 0, 0.8];
    let index = 0;
    const simulator = await startSimulator({
      errorRate: 1,
      random: () => draws[index++ % draws.length] ?? 0,
    });
    try {
      const first = await createTask(simulator.url, { prompt: "x", image });
      const second = await getTask(simulator.url, "sim_000000000000000000000000");
      const health = await fetch(`${simulator.url}/health`);

      expect(first.status).toBe(429);
      expect(first.headers.get("retry-after")).toBe("1");
      expect(await first.json()).toEqual(errorBodyOf(429, "rate_limit_exceeded"));
      expect(second).toEqual({ status: 500, body: errorBodyOf(500, "internal_error") });
      expect(health.status).toBe(200);
    } finally {
      await simulator.close();
    }
  });

  it("answers every call latencyMs after it arrives", async () => {
    const simulator = await startSimulator({ latencyMs: 300 });
    try {
      const startedAt = Date.now();
      const health = await fetch(`${simulator.url}/health`);

      expect(health.status).toBe(200);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
    } finally {
      await simulator.close();
    }
  });
});
