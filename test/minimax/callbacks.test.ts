import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Task } from "../../functions/core/task/task.js";
import { exampleRequest } from "../../local/stack/example-request.js";
import { delivered, deliveryWhen, pollUntil } from "../support/run-poller-until.js";
import { type MinimaxStack, startMinimaxStack } from "./minimax-stack.js";

const tenMinutes = String(10 * 60_000);

async function createOverHttp(minimax: MinimaxStack): Promise<Task> {
  const response = await fetch(`${minimax.apiUrl}/api/v1/videos/generations`, {
    method: "POST",
    headers: { authorization: `Bearer ${minimax.stack.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(exampleRequest(minimax.apiUrl)),
  });
  expect(response.status).toBe(200);
  const { data } = (await response.json()) as { data: { task_id: string } };
  const task = await minimax.stack.deps.tasks.getTask(data.task_id);
  if (!task) throw new Error("the task was not recorded");
  return task;
}

const push = (minimax: MinimaxStack, token: string, body: unknown) =>
  fetch(`${minimax.apiUrl}/api/v1/callbacks/minimax/${token}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("POST /api/v1/callbacks/minimax/{token}", () => {
  let minimax: MinimaxStack;
  let task: Task;
  let token: string;

  // A generation that outlasts the tests and a poll interval of ten minutes: only our pushes move it.
  beforeAll(async () => {
    minimax = await startMinimaxStack({
      simulator: { generationMs: 120_000 },
      env: { UPSTREAM_POLL_INTERVAL_MS: tenMinutes },
    });
    task = await createOverHttp(minimax);
    token = `${task.id}.${task.pushSecret}`;
  });
  afterAll(async () => {
    await minimax?.close();
  });

  it("passes MiniMax's challenge at create: the task went upstream with push and a Trace-Id", () => {
    expect(task.phase).toBe("submitted");
    expect(task.upstream).toMatchObject({
      provider: "minimax",
      taskId: expect.stringMatching(/^\d{15}$/),
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it("echoes a challenge at once", async () => {
    const response = await push(minimax, token, { challenge: "abc-123" });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: "abc-123" });
  });

  it.each([
    ["a wrong secret", () => `${task.id}.${"x".repeat(32)}`],
    ["an unknown task", () => `01aaaaaaaaaaaaaaaaaaaaaaaa.${task.pushSecret}`],
    ["no secret at all", () => task.id],
  ])("answers 404 for %s, challenge or not", async (_name, badToken) => {
    for (const body of [{ challenge: "abc" }, { task_id: task.upstream?.taskId, status: "success" }]) {
      const response = await push(minimax, badToken(), body);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 404, type: "not_found" } });
    }
  });

  it("answers 400 for a body that is not a JSON object", async () => {
    const response = await fetch(`${minimax.apiUrl}/api/v1/callbacks/minimax/${token}`, {
      method: "POST",
      body: "not json",
    });
    expect(response.status).toBe(400);
  });

  it("leaves the task alone for a progress push; an end push makes it ask the provider at once, which is trusted over the push", async () => {
    const before = await minimax.stack.deps.tasks.getTask(task.id);
    expect(before?.nextPollAt).toBeGreaterThan(Date.now() + 60_000);

    const progress = await push(minimax, token, { task_id: task.upstream?.taskId, status: "processing" });
    expect(await progress.json()).toEqual({ status: "success" });
    expect((await minimax.stack.deps.tasks.getTask(task.id))?.version).toBe(before?.version);

    // The push says Success, the provider (still rendering for two minutes) says Processing.
    const end = await push(minimax, token, { task_id: task.upstream?.taskId, status: "Success" });
    expect(await end.json()).toEqual({ status: "success" });
    const after = await minimax.stack.deps.tasks.getTask(task.id);
    expect(after?.phase).toBe("generating");
    expect(after?.version).toBeGreaterThan(before?.version ?? Number.POSITIVE_INFINITY);
    expect(after?.leaseUntil).toBeUndefined();
    expect(after?.nextPollAt).toBeGreaterThan(Date.now() + 9 * 60_000);
  });
});

describe("UPSTREAM=minimax end to end", () => {
  let minimax: MinimaxStack;

  beforeAll(async () => {
    minimax = await startMinimaxStack({
      simulator: { generationMs: 500 },
      env: { UPSTREAM_POLL_INTERVAL_MS: tenMinutes },
    });
  });
  afterAll(async () => {
    await minimax?.close();
  });

  it("finishes the example request by the provider's push alone: no sweep runs", async () => {
    const created = await createOverHttp(minimax);
    expect(created.nextPollAt).toBeGreaterThan(Date.now() + 9 * 60_000);

    // No poller runs in this stack: the push's request confirms, copies, and the S3 event completes.
    const delivery = await deliveryWhen(minimax.stack.deps, created.id, delivered, 60_000);

    const done = await minimax.stack.deps.tasks.getTask(created.id);
    expect(done).toMatchObject({
      phase: "done",
      announced: true,
      output: { key: `outputs/${created.id}.mp4` },
    });
    expect(delivery.eventType).toBe("video.completed");
    expect(minimax.webhooks.find((webhook) => webhook.taskId === created.id)).toMatchObject({
      type: "video.completed",
      verified: true,
    });
  });

  it("finishes by polling alone when push is off", async () => {
    const polling = await startMinimaxStack({ simulator: { generationMs: 300 }, push: false });
    try {
      const created = await createOverHttp(polling);
      const done = await pollUntil(polling.stack.deps, created.id, (task) => task.phase === "done");
      expect(done.upstream?.provider).toBe("minimax");
    } finally {
      await polling.close();
    }
  });
});
