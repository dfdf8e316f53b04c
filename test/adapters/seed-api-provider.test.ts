import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSeedApiProvider } from "../../functions/adapters/upstream/seed-api-provider.js";
import { UpstreamPermanentError, UpstreamRetryableError } from "../../functions/core/errors.js";
import type {
  UpstreamCreateRequest,
  UpstreamProvider,
  UpstreamTaskState,
} from "../../functions/core/ports.js";
import {
  type RunningSimulator,
  type SimulatorOptions,
  startSimulator,
} from "../../local/simulator/create-simulator.js";

const exampleImagePath = fileURLToPath(new URL("../../local/assets/example.jpg", import.meta.url));

/** The provider as the gateway builds it, pointed at `baseUrl`. */
const providerFor = (
  baseUrl: string,
  overrides: { apiKey?: string; timeoutMs?: number } = {},
): UpstreamProvider =>
  createSeedApiProvider({ name: "simulator", baseUrl, apiKey: "spec-key", timeoutMs: 5_000, ...overrides });

/** Polls the provider as the poller would, until the task leaves `running`. */
async function waitForEnd(
  provider: UpstreamProvider,
  taskId: string,
  timeoutMs = 20_000,
): Promise<UpstreamTaskState> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = await provider.getTask(taskId);
    if (state.state !== "running") return state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`upstream task ${taskId} did not end within ${timeoutMs} ms`);
}

async function firstBytes(stream: Readable, count: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    chunks.push(Buffer.from(chunk as Uint8Array));
    length += (chunk as Uint8Array).length;
    if (length >= count) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, count);
}

async function withSimulator<T>(
  options: SimulatorOptions,
  act: (simulator: RunningSimulator) => Promise<T>,
): Promise<T> {
  const simulator = await startSimulator(options);
  try {
    return await act(simulator);
  } finally {
    await simulator.close();
  }
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection, got a result");
}

describe("the seed-API upstream provider against the simulator", () => {
  let request: UpstreamCreateRequest;

  beforeAll(async () => {
    const image = await readFile(exampleImagePath);
    request = {
      model: "hailuo/2-3-image-to-video-standard",
      prompt: "A slow sunset over the sea [Push in]",
      imageUrl: `data:image/jpeg;base64,${image.toString("base64")}`,
      duration: "6",
      resolution: "768P",
      promptOptimizer: true,
    };
  });

  describe("a generation that succeeds", () => {
    let simulator: RunningSimulator;
    let provider: UpstreamProvider;

    beforeAll(async () => {
      simulator = await startSimulator({ generationMs: 300 });
      provider = providerFor(simulator.url);
    });
    afterAll(async () => {
      await simulator?.close();
    });

    it("is created, runs, succeeds with a video URL, and the video streams as an MP4", async () => {
      // Act
      const { taskId } = await provider.createTask(request);
      const first = await provider.getTask(taskId);
      const end = await waitForEnd(provider, taskId);

      // Assess
      expect(taskId).toMatch(/^sim_/);
      expect(first).toMatchObject({ state: "running" });
      expect(end).toEqual({
        state: "succeeded",
        videoUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
      });
      if (end.state !== "succeeded") return;
      const video = await provider.openVideo(end.videoUrl);
      const head = await firstBytes(video, 64);
      expect(head.toString("latin1")).toContain("ftyp");
    });

    it("answers upstream_task_lost for a task id it never issued", async () => {
      const error = await rejectionOf(provider.getTask("sim_never_issued"));

      expect(error).toBeInstanceOf(UpstreamPermanentError);
      expect(error).toMatchObject({ code: "upstream_task_lost" });
    });

    it("treats a video URL that no longer downloads as retryable (fetch a fresh URL and try again)", async () => {
      const error = await rejectionOf(
        provider.openVideo(`${simulator.url}/files/sim_never_issued.mp4?sig=stale`),
      );

      expect(error).toBeInstanceOf(UpstreamRetryableError);
    });

    it("refuses an invalid request (10 s at 1080P) with upstream_rejected", async () => {
      const error = await rejectionOf(
        provider.createTask({ ...request, duration: "10", resolution: "1080P" }),
      );

      expect(error).toBeInstanceOf(UpstreamPermanentError);
      expect(error).toMatchObject({ code: "upstream_rejected", message: expect.stringContaining("1080P") });
    });
  });

  describe("a generation that fails", () => {
    it("ends as failed with the upstream's code and message", async () => {
      const end = await withSimulator({ generationMs: 200, failureRate: 1 }, async (simulator) => {
        const provider = providerFor(simulator.url);
        const { taskId } = await provider.createTask(request);
        return waitForEnd(provider, taskId);
      });

      expect(end).toEqual({
        state: "failed",
        code: expect.stringMatching(/^(content_moderation|generation_failed)$/),
        message: expect.any(String),
      });
    });
  });

  describe("failures of the call itself", () => {
    it("turns a 429 into UpstreamRetryableError carrying Retry-After as retryAfterMs", async () => {
      // The simulator's errorRate 1 answers 429 when its second draw is below one half.
      const error = await withSimulator({ errorRate: 1, random: () => 0.25 }, (simulator) =>
        rejectionOf(providerFor(simulator.url).createTask(request)),
      );

      expect(error).toBeInstanceOf(UpstreamRetryableError);
      expect(error).toMatchObject({ retryAfterMs: 1_000, message: expect.stringContaining("429") });
    });

    it("turns a 500 into UpstreamRetryableError without retryAfterMs", async () => {
      const error = await withSimulator({ errorRate: 1, random: () => 0.75 }, (simulator) =>
        rejectionOf(providerFor(simulator.url).getTask("sim_any")),
      );

      expect(error).toBeInstanceOf(UpstreamRetryableError);
      expect(error).toMatchObject({ retryAfterMs: undefined, message: expect.stringContaining("500") });
    });

    it("answers every call of a flaky upstream (errorRate 1) with UpstreamRetryableError", async () => {
      const errors = await withSimulator({ errorRate: 1 }, (simulator) => {
        const provider = providerFor(simulator.url);
        return Promise.all(Array.from({ length: 6 }, () => rejectionOf(provider.createTask(request))));
      });

      for (const error of errors) expect(error).toBeInstanceOf(UpstreamRetryableError);
    });

    it("turns a refused API key into UpstreamPermanentError upstream_auth_failed", async () => {
      const error = await withSimulator({ apiKey: "right" }, (simulator) =>
        rejectionOf(providerFor(simulator.url, { apiKey: "wrong" }).createTask(request)),
      );

      expect(error).toBeInstanceOf(UpstreamPermanentError);
      expect(error).toMatchObject({ code: "upstream_auth_failed" });
    });

    it("turns a closed port into UpstreamRetryableError", async () => {
      const error = await rejectionOf(providerFor("http://127.0.0.1:9").createTask(request));

      expect(error).toBeInstanceOf(UpstreamRetryableError);
      expect(error).toMatchObject({ message: expect.stringContaining("unreachable") });
    });

    it("gives up on a slow upstream after timeoutMs with UpstreamRetryableError that says so", async () => {
      const { error, elapsedMs } = await withSimulator({ latencyMs: 2_000 }, async (simulator) => {
        const started = Date.now();
        const error = await rejectionOf(providerFor(simulator.url, { timeoutMs: 150 }).getTask("sim_any"));
        return { error, elapsedMs: Date.now() - started };
      });

      expect(error).toBeInstanceOf(UpstreamRetryableError);
      expect(error).toMatchObject({ message: expect.stringMatching(/timed out/) });
      expect(elapsedMs).toBeLessThan(1_000);
    });
  });

  describe("against an upstream that speaks the seed API loosely", () => {
    type Answer = { status: number; body: string; headers?: Record<string, string> };

    /** A real HTTP upstream on a free port that gives every call the same answer. */
    async function withUpstream<T>(
      answer: Answer,
      act: (provider: UpstreamProvider) => Promise<T>,
    ): Promise<T> {
      const server = createServer((request, response) => {
        request.resume();
        request.on("end", () => response.writeHead(answer.status, answer.headers ?? {}).end(answer.body));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      try {
        return await act(providerFor(`http://127.0.0.1:${port}/`));
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    }
    const json = { "content-type": "application/json" };

    it("reads an error carried in a 200 body's code as that HTTP status", async () => {
      const answer = { status: 200, headers: json, body: '{"code":402,"message":"insufficient balance"}' };

      const error = await withUpstream(answer, (provider) => rejectionOf(provider.createTask(request)));

      expect(error).toBeInstanceOf(UpstreamPermanentError);
      expect(error).toMatchObject({ code: "upstream_insufficient_balance", message: "insufficient balance" });
    });

    it("accepts a numeric task id under data.id", async () => {
      const answer = {
        status: 200,
        headers: json,
        body: '{"code":200,"message":"success","data":{"id":123}}',
      };

      const created = await withUpstream(answer, (provider) => provider.createTask(request));

      expect(created).toEqual({ taskId: "123" });
    });

    it("treats an acceptance that names no task id as retryable", async () => {
      const answer = { status: 200, headers: json, body: '{"code":200,"message":"success","data":{}}' };

      const error = await withUpstream(answer, (provider) => rejectionOf(provider.createTask(request)));

      expect(error).toBeInstanceOf(UpstreamRetryableError);
    });

    it("treats a 200 that is not JSON (a proxy's HTML page) as retryable", async () => {
      const answer = { status: 200, headers: { "content-type": "text/html" }, body: "<html>gateway</html>" };

      const error = await withUpstream(answer, (provider) => rejectionOf(provider.getTask("any")));

      expect(error).toBeInstanceOf(UpstreamRetryableError);
    });

    it("reads a task status at the top level when there is no data envelope", async () => {
      const answer = {
        status: 200,
        headers: json,
        body: '{"status":"SUCCESS","result":{"video_url":"https://v/x.mp4"}}',
      };

      const state = await withUpstream(answer, (provider) => provider.getTask("any"));

      expect(state).toEqual({ state: "succeeded", videoUrl: "https://v/x.mp4" });
    });

    it("reads a 503 with an HTTP-date Retry-After as retryable with a wait", async () => {
      const retryAt = new Date(Date.now() + 60_000).toUTCString();
      const answer = {
        status: 503,
        headers: { ...json, "retry-after": retryAt },
        body: '{"error":"maintenance"}',
      };

      const error = await withUpstream(answer, (provider) => rejectionOf(provider.getTask("any")));

      expect(error).toBeInstanceOf(UpstreamRetryableError);
      expect((error as UpstreamRetryableError).retryAfterMs).toBeGreaterThan(50_000);
      expect((error as UpstreamRetryableError).message).toBe("upstream 503: maintenance");
    });
  });
});
