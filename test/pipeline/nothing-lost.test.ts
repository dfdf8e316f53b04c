import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import { buildDeps } from "../../functions/config/build-deps.js";
import { createRequestSchema } from "../../functions/core/create-request.js";
import type { Deps } from "../../functions/core/deps.js";
import { completeVideos } from "../../functions/core/use-cases/complete-task.js";
import { deliverWebhook } from "../../functions/core/use-cases/deliver-webhook.js";
import { runPoller, sweepDueWork } from "../../functions/core/use-cases/run-poller.js";
import { submitTask } from "../../functions/core/use-cases/submit-task.js";
import { freePort } from "../../local/servers/free-port.js";
import { startSimulator } from "../../local/simulator/create-simulator.js";
import { exampleImagePath } from "../../local/stack/local-app.js";
import { testS3Client, testS3Endpoint } from "../support/aws-clients.js";
import { aDelivery, aTask } from "../support/fixtures.js";
import { attempted, delivered, deliveryWhen, pollUntil } from "../support/run-poller-until.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

const closers: (() => Promise<unknown> | undefined)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function stackWith(options: Parameters<typeof startTestStack>[0]): Promise<TestStack> {
  const stack = await startTestStack(options);
  closers.push(() => stack.close());
  return stack;
}

async function exampleDataUrl(): Promise<string> {
  return `data:image/jpeg;base64,${(await readFile(exampleImagePath)).toString("base64")}`;
}

async function submit(stack: TestStack, extra: Record<string, unknown> = {}) {
  const request = createRequestSchema({ allowPrivateUrls: true }).parse({
    prompt: "a slow push-in",
    image: await exampleDataUrl(),
    ...extra,
  });
  const { task } = await submitTask(stack.deps, { tenant: stack.tenant, request, source: { kind: "api" } });
  return task;
}

/** A webhook receiver that answers with the statuses given, in turn, then 200. */
async function receiver(statuses: number[]): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.statusCode = statuses[hits] ?? 200;
      hits++;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, hits: () => hits };
}

/** An image URL whose answer the test changes as it goes. */
async function switchableImageHost(status: number, body: Buffer = Buffer.from("busy")) {
  let answer = { status, body };
  let hits = 0;
  const server: Server = createServer((request, response) => {
    hits++;
    request.resume();
    response.writeHead(answer.status, { "content-type": "image/jpeg" }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/photo.jpg`,
    serve(nextStatus: number, nextBody: Buffer) {
      answer = { status: nextStatus, body: nextBody };
    },
    hits: () => hits,
  };
}

/** A recorded task that finished upstream, whose copy has not happened, and whose deadline has passed. */
async function copyingPastDeadline(stack: TestStack) {
  const task = aTask({
    tenantId: stack.tenant.id,
    phase: "copying",
    upstream: { provider: "simulator", taskId: "sim_gone", videoUrl: "http://127.0.0.1:9/v.mp4" },
    deadlineAt: Date.now() - 60_000,
  });
  await stack.deps.tasks.createTask(task, stack.tenant);
  return task;
}

function later(deps: Deps, aheadMs: number): Deps {
  return { ...deps, clock: { now: () => Date.now() + aheadMs } };
}

describe("nothing is lost", () => {
  it("keeps a task queued while the upstream is down, and submits it once the upstream is back", async () => {
    const port = await freePort();
    const stack = await stackWith({
      simulator: false,
      env: { UPSTREAM_BASE_URL: `http://127.0.0.1:${port}` },
    });
    const task = await submit(stack);
    expect(task).toMatchObject({ phase: "queued", attempts: 1 });

    const simulator = await startSimulator({ port, generationMs: 200 });
    closers.push(() => simulator.close());
    const done = await pollUntil(
      later(stack.deps, 60_000),
      task.id,
      (current) => current.phase !== "queued",
      10_000,
    );
    expect(done.phase).toBe("submitted");
    expect(done.upstream?.taskId).toMatch(/^sim_/);
  });

  it("stages an image whose host was failing once the host answers, then goes upstream", async () => {
    const stack = await stackWith({ simulator: { generationMs: 60_000 } });
    const host = await switchableImageHost(503);
    const task = await submit(stack, { image: host.url });
    expect(task).toMatchObject({ phase: "queued", image: { kind: "url", url: host.url } });

    host.serve(200, await readFile(exampleImagePath));
    const submitted = await pollUntil(
      later(stack.deps, 60_000),
      task.id,
      (current) => current.phase !== "queued",
    );

    expect(submitted).toMatchObject({
      phase: "submitted",
      image: { kind: "stored", key: `inputs/${task.id}`, contentType: "image/jpeg" },
    });
  });

  it("records an upstream refusal that follows a deferred image's copy, in the same step", async () => {
    // The simulator wants another key: its answer to the create is a permanent 401.
    const stack = await stackWith({ simulator: { generationMs: 100, apiKey: "not-the-stack-key" } });
    const spentBefore = (await stack.deps.tenants.getTenant(stack.tenant.id))?.creditsSpent ?? 0;
    const host = await switchableImageHost(503);
    const task = await submit(stack, { image: host.url });
    host.serve(200, await readFile(exampleImagePath));

    // One sweep: the copy and the refusal happen in the same step, and the refusal must stick.
    await sweepDueWork(later(stack.deps, 60_000), { limit: 10, concurrency: 2 });

    const failed = await stack.deps.tasks.getTask(task.id);
    expect(failed).toMatchObject({
      phase: "failed",
      error: { code: "upstream_auth_failed" },
      image: { kind: "stored", key: `inputs/${task.id}` },
    });
    expect((await stack.deps.tenants.getTenant(stack.tenant.id))?.creditsSpent).toBe(spentBefore);
  });

  it("fails a deferred image that breaks the rules, or is gone, with a stable code and a refund", async () => {
    const stack = await stackWith({ simulator: false });
    const spentBefore = (await stack.deps.tenants.getTenant(stack.tenant.id))?.creditsSpent ?? 0;
    const cases = [
      [200, Buffer.from("not an image at all"), "invalid_image"],
      [404, Buffer.from("no such image"), "image_unreachable"],
    ] as const;
    for (const [status, body, code] of cases) {
      const host = await switchableImageHost(503);
      const task = await submit(stack, { image: host.url });
      host.serve(status, body);

      const failed = await pollUntil(
        later(stack.deps, 60_000),
        task.id,
        (current) => current.phase === "failed",
      );

      expect(failed.error?.code).toBe(code);
    }
    expect((await stack.deps.tenants.getTenant(stack.tenant.id))?.creditsSpent).toBe(spentBefore);
  });

  it("fails a task whose image host keeps failing, after IMAGE_FETCH_ATTEMPTS tries", async () => {
    const stack = await stackWith({ simulator: false, env: { IMAGE_FETCH_ATTEMPTS: "2" } });
    const host = await switchableImageHost(503);
    const task = await submit(stack, { image: host.url });

    const failed = await pollUntil(
      later(stack.deps, 60_000),
      task.id,
      (current) => current.phase === "failed",
    );

    expect(failed.error).toEqual({ code: "image_unreachable", message: "the image URL answered HTTP 503" });
    expect(host.hits()).toBe(3); // the try at creation, then two by the poller
  });

  it("fails a rejected generation, refunds its credits and sends video.failed", async () => {
    const stack = await stackWith({ simulator: { generationMs: 100, failureRate: 1 } });
    const hook = await receiver([]);
    const spentBefore = (await stack.deps.tenants.getTenant(stack.tenant.id))?.creditsSpent ?? 0;
    const task = await submit(stack, { callback_url: hook.url });
    expect((await stack.deps.tenants.getTenant(stack.tenant.id))?.creditsSpent).toBe(spentBefore + 30);

    const failed = await pollUntil(
      stack.deps,
      task.id,
      (current) => current.phase === "failed" && !!current.announced,
    );
    expect(failed.error?.code).toMatch(/content_moderation|generation_failed/);
    expect((await stack.deps.tenants.getTenant(stack.tenant.id))?.creditsSpent).toBe(spentBefore);
    const delivery = await deliveryWhen(stack.deps, task.id, attempted);
    expect(delivery).toMatchObject({ eventType: "video.failed", state: "delivered" });
    expect(hook.hits()).toBe(1);
  });

  it("treats a duplicate S3 event as a no-op: one completion, one webhook", async () => {
    const stack = await stackWith({ simulator: { generationMs: 100 } });
    const hook = await receiver([]);
    const task = await submit(stack, { callback_url: hook.url });
    await pollUntil(stack.deps, task.id, (current) => current.phase === "done" && !!current.announced);
    await deliveryWhen(stack.deps, task.id, delivered);
    const settled = await stack.deps.tasks.getTask(task.id);

    await completeVideos(stack.deps, [`outputs/${task.id}.mp4`, `outputs/${task.id}.mp4`]);

    expect(await stack.deps.tasks.getTask(task.id)).toEqual(settled);
    expect(await stack.deps.deliveries.listDeliveries(task.id)).toHaveLength(1);
    expect(hook.hits()).toBe(1);
  });

  describe("a crash after the task is done, before it is announced", () => {
    /**
     * A task done with its video stored, not announced, due now: what a notify that died leaves. The
     * video goes straight to the S3 server, past the notifying front: no event, no notify.
     */
    async function doneNotAnnounced(stack: TestStack, callbackUrl: string) {
      const task = aTask({ tenantId: stack.tenant.id, callbackUrl, phase: "done" });
      await stack.deps.tasks.createTask(task, stack.tenant);
      await testS3Client().send(
        new PutObjectCommand({ Bucket: stack.bucket, Key: `outputs/${task.id}.mp4`, Body: "a video" }),
      );
      return task;
    }

    it("is announced by the poller, its webhook sent once and recorded with the attempt", async () => {
      const stack = await stackWith({ simulator: false });
      const hook = await receiver([]);
      const task = await doneNotAnnounced(stack, hook.url);

      await sweepDueWork(stack.deps, { limit: 10, concurrency: 2 });

      expect(await stack.deps.tasks.getTask(task.id)).toMatchObject({ announced: true });
      expect((await stack.deps.tasks.getTask(task.id))?.nextPollAt).toBeUndefined();
      const deliveries = await stack.deps.deliveries.listDeliveries(task.id);
      expect(deliveries).toMatchObject([{ state: "delivered", version: 1, attempts: [{ status: 200 }] }]);
      expect(hook.hits()).toBe(1);
    });

    it("does not send a webhook again that was recorded before the crash", async () => {
      const stack = await stackWith({ simulator: false });
      const hook = await receiver([]);
      const task = await doneNotAnnounced(stack, hook.url);
      const recorded = aDelivery(task.id, {
        tenantId: stack.tenant.id,
        url: hook.url,
        state: "delivered",
        attempts: [{ at: new Date().toISOString(), durationMs: 3, status: 200 }],
        nextAttemptAt: undefined,
      });
      await stack.deps.deliveries.createDelivery(recorded);

      await sweepDueWork(stack.deps, { limit: 10, concurrency: 2 });

      expect(await stack.deps.tasks.getTask(task.id)).toMatchObject({ announced: true });
      expect(await stack.deps.deliveries.listDeliveries(task.id)).toEqual([recorded]);
      expect(hook.hits()).toBe(0);
    });
  });

  it("settles the event of a video whose task does not exist, so it is not delivered again forever", async () => {
    const stack = await stackWith({ simulator: false });

    await expect(completeVideos(stack.deps, ["outputs/01nobodysvideo.mp4"])).resolves.toBeUndefined();
  });

  it("finishes the task through the poller when the video's S3 event never comes", async () => {
    const stack = await stackWith({ simulator: { generationMs: 100 }, env: { LEASE_MS: "300" } });
    // The same adapters, but writing straight to the S3 server: no notifying front, no event.
    const deaf = buildDeps(
      { ...stack.settings, environment: { ...stack.settings.environment, S3_ENDPOINT: testS3Endpoint() } },
      { serviceName: "test", logger: stack.deps.logger },
    );
    const task = await submit({ ...stack, deps: deaf });
    const done = await pollUntil(deaf, task.id, (current) => current.phase === "done" && !!current.announced);
    expect(done.output?.key).toBe(`outputs/${task.id}.mp4`);
  });

  it("retries a webhook that fails, with the same message id, until it is delivered", async () => {
    const stack = await stackWith({ simulator: { generationMs: 100 } });
    const hook = await receiver([500, 503]);
    const task = await submit(stack, { callback_url: hook.url });
    await pollUntil(stack.deps, task.id, (current) => current.phase === "done" && !!current.announced);

    const first = await deliveryWhen(stack.deps, task.id, attempted);
    expect(first).toMatchObject({ state: "pending", attempts: [{ status: 500 }] });
    expect(first?.nextAttemptAt).toBeGreaterThan(Date.now());

    // Time passes (the schedule's 5 s, then 5 min): the poller tries again each time.
    await sweepDueWork(later(stack.deps, 10_000), { limit: 10, concurrency: 2 });
    await sweepDueWork(later(stack.deps, 10 * 60_000), { limit: 10, concurrency: 2 });

    const [last] = await stack.deps.deliveries.listDeliveries(task.id);
    expect(last?.state).toBe("delivered");
    expect(last?.attempts.map((attempt) => attempt.status)).toEqual([500, 503, 200]);
    expect(last?.id).toBe(first?.id);
    expect(hook.hits()).toBe(3);
  });

  it("gives up at once on a webhook that no retry can deliver (its tenant is gone)", async () => {
    const stack = await stackWith({ simulator: false });
    const hook = await receiver([]);
    const delivery = aDelivery("01ghosttask", { tenantId: "tenant-that-was-removed", url: hook.url });
    await stack.deps.deliveries.createDelivery(delivery);

    const settled = await deliverWebhook(stack.deps, delivery);

    expect(settled).toMatchObject({
      state: "exhausted",
      attempts: [{ error: expect.stringContaining("no longer exists") }],
    });
    expect(settled?.nextAttemptAt).toBeUndefined();
    expect(hook.hits()).toBe(0);
  });

  it("lets only one of two pollers work a task", async () => {
    const stack = await stackWith({ simulator: { generationMs: 60_000 } });
    const port = await freePort();
    // Recorded while the upstream is unreachable, so both pollers find it queued and due.
    const unreachable = buildDeps(
      {
        ...stack.settings,
        environment: { ...stack.settings.environment, UPSTREAM_BASE_URL: `http://127.0.0.1:${port}` },
      },
      { serviceName: "test", logger: stack.deps.logger },
    );
    const task = await submit({ ...stack, deps: unreachable });
    const ahead = later(stack.deps, 60_000);
    const [first, second] = await Promise.all([
      sweepDueWork(ahead, { limit: 10, concurrency: 2 }),
      sweepDueWork(ahead, { limit: 10, concurrency: 2 }),
    ]);
    expect(first.tasks + second.tasks).toBe(1);
    expect((await stack.deps.tasks.getTask(task.id))?.phase).toBe("submitted");
  });

  it("completes a task whose video is already in the bucket, even past its deadline", async () => {
    const stack = await stackWith({ simulator: false });
    const task = await copyingPastDeadline(stack);
    // Written straight to the S3 server: the video is there, but its event never comes.
    await testS3Client().send(
      new PutObjectCommand({ Bucket: stack.bucket, Key: `outputs/${task.id}.mp4`, Body: "mp4 bytes" }),
    );

    await sweepDueWork(stack.deps, { limit: 10, concurrency: 2 });

    const stored = await stack.deps.tasks.getTask(task.id);
    expect(stored).toMatchObject({ phase: "done", output: { key: `outputs/${task.id}.mp4` } });
    expect(stored?.error).toBeUndefined();
  });

  it("fails a task past its deadline whose video cannot be copied, with a refund", async () => {
    const stack = await stackWith({ simulator: false });
    const spentBefore = (await stack.deps.tenants.getTenant(stack.tenant.id))?.creditsSpent ?? 0;
    const task = await copyingPastDeadline(stack);

    await sweepDueWork(stack.deps, { limit: 10, concurrency: 2 });

    expect(await stack.deps.tasks.getTask(task.id)).toMatchObject({
      phase: "failed",
      error: { code: "upstream_timeout" },
    });
    expect((await stack.deps.tenants.getTenant(stack.tenant.id))?.creditsSpent).toBe(spentBefore);
  });

  it("fails a task that overruns its deadline, with a refund", async () => {
    const stack = await stackWith({ simulator: { generationMs: 60_000 }, env: { TASK_DEADLINE_MS: "1000" } });
    const spentBefore = (await stack.deps.tenants.getTenant(stack.tenant.id))?.creditsSpent ?? 0;
    const task = await submit(stack);
    const failed = await pollUntil(
      later(stack.deps, 5_000),
      task.id,
      (current) => current.phase === "failed",
    );
    expect(failed.error).toEqual({
      code: "upstream_timeout",
      message: "the task did not finish before its deadline",
    });
    expect((await stack.deps.tenants.getTenant(stack.tenant.id))?.creditsSpent).toBe(spentBefore);
  });
});

describe("the poller's run", () => {
  it("starts no new work once its time is up, and leaves that work due for the next run", async () => {
    const stack = await stackWith({ simulator: false });
    const task = await submit(stack);

    const result = await sweepDueWork(later(stack.deps, 60_000), {
      limit: 10,
      concurrency: 2,
      stopAt: Date.now(),
    });

    expect(result).toMatchObject({ found: 1, tasks: 0, errors: 0 });
    expect(await stack.deps.tasks.getTask(task.id)).toEqual(task);
  });

  it("returns at once when nothing will come due before it must stop", async () => {
    const stack = await stackWith({ simulator: false });
    const started = Date.now();
    const result = await runPoller(stack.deps, {
      stopAt: started + 20_000,
      intervalMs: 100,
      limit: 10,
      concurrency: 2,
    });
    expect(result).toEqual({ found: 0, tasks: 0, deliveries: 0, errors: 0 });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("keeps sweeping while work will come due, and takes it when it does", async () => {
    const stack = await stackWith({ simulator: { generationMs: 100 } });
    const task = await submit(stack);
    // The run returns as soon as nothing will come due before stopAt, so a far stop costs nothing
    // when the render is quick, and a render slowed by a loaded machine still ends inside the run.
    const result = await runPoller(stack.deps, {
      stopAt: Date.now() + 100_000,
      intervalMs: 100,
      limit: 10,
      concurrency: 2,
    });
    expect(result.tasks).toBeGreaterThan(0);
    expect((await stack.deps.tasks.getTask(task.id))?.phase).toBe("done");
  }, 150_000);
});
