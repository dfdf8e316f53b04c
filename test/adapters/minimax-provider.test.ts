import { readFile } from "node:fs/promises";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultMinimaxModelMap } from "../../functions/adapters/upstream/minimax-models.js";
import { createMinimaxProvider } from "../../functions/adapters/upstream/minimax-provider.js";
import { UpstreamPermanentError, UpstreamRetryableError } from "../../functions/core/errors.js";
import type {
  UpstreamCreateRequest,
  UpstreamProvider,
  UpstreamTaskState,
} from "../../functions/core/ports.js";
import { type RunningSimulator, startSimulator } from "../../local/simulator/create-simulator.js";
import { type LocalHttpServer, startLocalHttpServer } from "../support/local-http-server.js";

const exampleImagePath = fileURLToPath(new URL("../../local/assets/example.jpg", import.meta.url));
const key = "minimax-spec-key";

const providerFor = (baseUrl: string, apiKey = key): UpstreamProvider =>
  createMinimaxProvider({ baseUrl, apiKey, timeoutMs: 5_000, models: defaultMinimaxModelMap });

async function waitForEnd(provider: UpstreamProvider, taskId: string): Promise<UpstreamTaskState> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const state = await provider.getTask(taskId);
    if (state.state !== "running") return state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`upstream task ${taskId} did not end in time`);
}

async function firstBytes(stream: Readable, count: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(Buffer.from(chunk as Uint8Array));
    if (Buffer.concat(chunks).length >= count) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, count);
}

async function refusalOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("the call succeeded");
}

describe("the MiniMax provider, against the simulator's MiniMax API", () => {
  let outside: LocalHttpServer;
  let simulator: RunningSimulator;
  let provider: UpstreamProvider;
  let request: UpstreamCreateRequest;

  beforeAll(async () => {
    const image = await readFile(exampleImagePath);
    outside = await startLocalHttpServer({
      "/example.jpg": (_request, response) =>
        response.writeHead(200, { "content-type": "image/jpeg" }).end(image),
      "/deaf": (_request, response) => response.writeHead(200).end("{}"),
    });
    simulator = await startSimulator({ generationMs: 300, apiKey: key });
    provider = providerFor(simulator.url);
    request = {
      model: "hailuo/2-3-image-to-video-standard",
      prompt: "A slow sunset",
      imageUrl: `${outside.url}/example.jpg`,
      duration: "6",
      resolution: "768P",
      promptOptimizer: true,
    };
  });

  afterAll(async () => {
    await simulator?.close();
    await outside?.close();
  });

  it("creates with the mapped model, keeps the Trace-Id, polls to success and streams the MP4", async () => {
    const created = await provider.createTask(request);
    expect(created).toEqual({
      taskId: expect.stringMatching(/^\d{15}$/),
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    // The simulator's seed side shows the record, and with it the model MiniMax was asked for.
    const record = await fetch(`${simulator.url}/api/v1/tasks/sim_${created.taskId}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(((await record.json()) as { data: { model: string } }).data.model).toBe("MiniMax-Hailuo-2.3-Fast");

    const state = await waitForEnd(provider, created.taskId);

    expect(state).toEqual({
      state: "succeeded",
      videoUrl: expect.stringContaining(`/files/sim_${created.taskId}.mp4`),
    });
    if (state.state !== "succeeded") return;
    const head = await firstBytes(await provider.openVideo(state.videoUrl), 12);
    expect(head.subarray(4, 8).toString("latin1")).toBe("ftyp");
  });

  it("reads running for Preparing, Queueing and Processing", async () => {
    const slow = await startSimulator({ generationMs: 60_000, apiKey: key });
    try {
      const slowProvider = providerFor(slow.url);
      const { taskId } = await slowProvider.createTask(request);
      expect(await slowProvider.getTask(taskId)).toEqual({ state: "running" });
    } finally {
      await slow.close();
    }
  });

  it("reads Fail as a failed generation, and moderation's 1027 as content_moderation", async () => {
    // With every generation failing, the simulator's draw picks the reason: 0.6 a plain failure, 0.1 moderation.
    for (const [draw, expected] of [
      [0.6, "generation_failed"],
      [0.1, "content_moderation"],
    ] as const) {
      const failing = await startSimulator({
        generationMs: 100,
        failureRate: 1,
        random: () => draw,
        apiKey: key,
      });
      try {
        const failingProvider = providerFor(failing.url);
        const { taskId } = await failingProvider.createTask(request);
        const ended = await waitForEnd(failingProvider, taskId).catch((error: unknown) => error);
        const code = ended instanceof UpstreamPermanentError ? ended.code : (ended as { code?: string }).code;
        expect(code).toBe(expected);
      } finally {
        await failing.close();
      }
    }
  });

  it.each([
    [1000, "retryable"],
    [1001, "retryable"],
    [1002, "retryable"],
    [1024, "retryable"],
    [1033, "retryable"],
    [1039, "retryable"],
    [1041, "retryable"],
    [2045, "retryable"],
    [1004, "upstream_auth_failed"],
    [2049, "upstream_auth_failed"],
    [1008, "upstream_insufficient_balance"],
    [1026, "content_moderation"],
    [1027, "content_moderation"],
    [2013, "upstream_rejected"],
    [1042, "upstream_rejected"],
    [2056, "upstream_failed"],
    [1234, "upstream_failed"],
  ])("classifies base_resp %i as %s, naming the code and the Trace-Id", async (code, expected) => {
    const error = await refusalOf(provider.createTask({ ...request, prompt: `[sim:base_resp=${code}]` }));

    expect(error.message).toMatch(new RegExp(`^MiniMax ${code}: .* \\(Trace-Id [0-9a-f]{32}\\)$`));
    if (expected === "retryable") {
      expect(error).toBeInstanceOf(UpstreamRetryableError);
    } else {
      expect(error).toBeInstanceOf(UpstreamPermanentError);
      expect((error as UpstreamPermanentError).code).toBe(expected);
    }
  });

  it("fails a wrong key as upstream_auth_failed", async () => {
    const error = await refusalOf(providerFor(simulator.url, "wrong-key").createTask(request));

    expect((error as UpstreamPermanentError).code).toBe("upstream_auth_failed");
  });

  it("creates without push when the callback does not answer MiniMax's challenge", async () => {
    const created = await provider.createTask({ ...request, callbackUrl: `${outside.url}/deaf` });

    expect(created.taskId).toMatch(/^\d{15}$/);
    expect(
      outside.received.some((received) => received.path === "/deaf" && received.body.includes("challenge")),
    ).toBe(true);
  });

  it("treats an unreachable MiniMax as retryable", async () => {
    const error = await refusalOf(providerFor("http://127.0.0.1:9").createTask(request));

    expect(error).toBeInstanceOf(UpstreamRetryableError);
  });
});
