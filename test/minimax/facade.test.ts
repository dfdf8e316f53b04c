import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey, newWebhookSecret } from "../../functions/core/api-keys.js";
import { fileIdOfTask, taskIdOfFile } from "../../functions/http/minimax/file-ids.js";
import { probeVideo } from "../../local/media/probe-video.js";
import { createLocalApp } from "../../local/stack/local-app.js";
import { startLocalPoller } from "../../local/stack/local-poller.js";
import { seedTenant } from "../../local/stack/seed-tenant.js";
import { uniqueName } from "../support/aws-clients.js";
import { aTenant } from "../support/fixtures.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

type Answer = Record<string, unknown> & { base_resp: { status_code: number; status_msg: string } };

describe("MiniMax's API served by the gateway", () => {
  let stack: TestStack;
  let baseUrl: string;
  let close: () => void;
  let poller: { stop(): Promise<void> };

  // As MiniMax's own clients send them: a JSON content type even on GET, and a header of their own.
  const headers = (key: string) => ({
    authorization: `Bearer ${key}`,
    "content-type": "application/json",
    "mm-api-source": "minimax-client",
  });
  const create = async (body: Record<string, unknown>, key = stack.apiKey): Promise<Answer> => {
    const response = await fetch(`${baseUrl}/v1/video_generation`, {
      method: "POST",
      headers: headers(key),
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Answer;
  };
  const get = async (path: string): Promise<Answer> => {
    const response = await fetch(`${baseUrl}${path}`, { headers: headers(stack.apiKey) });
    expect(response.status).toBe(200);
    return (await response.json()) as Answer;
  };
  const minimaxBody = () => ({
    model: "MiniMax-Hailuo-2.3-Fast",
    prompt: "A golden retriever running through a sunflower field at sunset [Push in]",
    first_frame_image: `${baseUrl}/dev/example.jpg`,
    duration: 6,
    resolution: "768P",
  });

  beforeAll(async () => {
    stack = await startTestStack({ simulator: { generationMs: 500 } });
    const local = createLocalApp(stack.deps, stack.settings, {
      webhookSecret: () => stack.tenant.webhookSecret,
      log: () => {},
    });
    const server = serve({ fetch: local.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((resolve) => server.once("listening", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
    poller = startLocalPoller(stack.deps, stack.settings.environment);
  });
  afterAll(async () => {
    await poller?.stop();
    close?.();
    await stack?.close();
  });

  it("creates, queries until Success, retrieves and downloads a real MP4, as a MiniMax client does", async () => {
    const created = await create(minimaxBody());
    expect(created).toEqual({
      task_id: expect.any(String),
      base_resp: { status_code: 0, status_msg: "success" },
    });
    const taskId = String(created.task_id);

    let answer: Answer;
    const seen: string[] = [];
    do {
      answer = await get(`/v1/query/video_generation?task_id=${taskId}`);
      if (seen.at(-1) !== answer.status) seen.push(String(answer.status));
      if (answer.status !== "Success") await new Promise((resolve) => setTimeout(resolve, 100));
    } while (answer.status !== "Success" && answer.status !== "Fail");

    expect(answer).toMatchObject({ task_id: taskId, status: "Success", base_resp: { status_code: 0 } });
    expect(answer.file_id).toMatch(/^\d+$/);
    const retrieved = await get(`/v1/files/retrieve?file_id=${String(answer.file_id)}`);
    expect(retrieved.file).toMatchObject({
      file_id: answer.file_id,
      purpose: "video_generation",
      filename: `${taskId}.mp4`,
      bytes: expect.any(Number),
    });
    const file = retrieved.file as { download_url: string; bytes: number };
    expect(file.bytes).toBeGreaterThan(10_000);
    const video = await probeVideo(file.download_url);
    expect(video).toMatchObject({ codec: "h264", width: 1366, height: 768 });

    // The same task, with its credits, in our own API.
    const list = await fetch(`${baseUrl}/api/v1/tasks`, {
      headers: { authorization: `Bearer ${stack.apiKey}` },
    });
    const { data } = (await list.json()) as {
      data: { tasks: { task_id: string; status: string; model: string }[] };
    };
    expect(data.tasks.find((task) => task.task_id === taskId)).toMatchObject({
      status: "completed",
      model: "hailuo/2-3-image-to-video-standard",
    });
  });

  it("answers models it does not serve with 2013 naming the ones it does", async () => {
    const answer = await create({ ...minimaxBody(), model: "MiniMax-Hailuo-02" });

    expect(answer.base_resp.status_code).toBe(2013);
    expect(answer.base_resp.status_msg).toContain("MiniMax-Hailuo-2.3-Fast or MiniMax-Hailuo-2.3");
  });

  it.each([
    [{ first_frame_image: undefined }, "first_frame_image"],
    [{ first_frame_image: "not a url" }, "first_frame_image"],
    [{ duration: 10, resolution: "1080P" }, "1080P"],
    [{ duration: 7 }, "duration"],
  ])("answers bad parameters %j with 2013 naming %s", async (change, field) => {
    const answer = await create({ ...minimaxBody(), ...change });

    expect(answer.base_resp.status_code).toBe(2013);
    expect(answer.base_resp.status_msg).toContain(field);
  });

  it("answers a bad key with 1004 and a tenant without credits with 1008", async () => {
    expect((await create(minimaxBody(), "not-a-key")).base_resp.status_code).toBe(1004);
    const apiKey = `broke-${uniqueName("k")}`;
    await seedTenant(stack.deps.tenants, {
      id: uniqueName("broke"),
      name: "No credits",
      apiKey,
      webhookSecret: newWebhookSecret(),
      creditsRemaining: 0,
    });

    const answer = await create(minimaxBody(), apiKey);

    expect(answer.base_resp.status_code).toBe(1008);
  });

  it("answers a tenant past its request rate with 1002 and Retry-After, the same limit as /api/v1", async () => {
    const apiKey = `limited-${uniqueName("k")}`;
    const tenant = aTenant(undefined, { id: uniqueName("limited"), rateLimitRpm: 2 });
    await stack.deps.tenants.putTenant(tenant);
    await stack.deps.tenants.putApiKey(hashApiKey(apiKey), tenant.id);

    // Two a minute: of five requests at most four fit, even across a minute's turn.
    const answers: { code: number; retryAfter: string | null }[] = [];
    for (let request = 0; request < 5; request++) {
      const response = await fetch(`${baseUrl}/v1/query/video_generation?task_id=123`, {
        headers: headers(apiKey),
      });
      const body = (await response.json()) as Answer;
      answers.push({ code: body.base_resp.status_code, retryAfter: response.headers.get("retry-after") });
    }

    expect(answers[0]?.code).toBe(2013);
    const limited = answers.filter((answer) => answer.code === 1002);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(Number(limited[0]?.retryAfter)).toBeGreaterThan(0);
  });

  it("answers unknown tasks and files with 2013", async () => {
    expect((await get("/v1/query/video_generation?task_id=123")).base_resp.status_code).toBe(2013);
    expect((await get("/v1/files/retrieve?file_id=abc")).base_resp.status_code).toBe(2013);
  });
});

describe("file ids", () => {
  it("are a task's ULID read as one decimal number, and lead back to it", () => {
    const taskId = "01jd5x7m9q8r2s3t4v5w6x7y8z";
    const fileId = fileIdOfTask(taskId);

    expect(fileId).toMatch(/^\d+$/);
    expect(taskIdOfFile(fileId ?? "")).toBe(taskId);
    expect(taskIdOfFile("1".repeat(41))).toBeUndefined();
    expect(fileIdOfTask("not-a-ulid!")).toBeUndefined();
  });
});
