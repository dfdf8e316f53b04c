import { readFile } from "node:fs/promises";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newApiKey, newWebhookSecret } from "../../functions/core/api-keys.js";
import { videoKey } from "../../functions/core/output-keys.js";
import type { Task } from "../../functions/core/task/task.js";
import { createApp } from "../../functions/http/create-app.js";
import { exampleImagePath } from "../../local/stack/local-app.js";
import { seedTenant } from "../../local/stack/seed-tenant.js";
import { type LocalHttpServer, startLocalHttpServer } from "../support/local-http-server.js";
import { delivered, deliveryWhen, pollUntil } from "../support/run-poller-until.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

/** Renders queue behind other specs' on a busy machine: the wait is for the state, this only bounds it. */
const renderWaitMs = 120_000;

type Envelope<Data> = { code: number; message: string; data: Data };
type View = {
  task_id: string;
  status: string;
  phase: string;
  credits: number;
  video_url?: string;
  content_url?: string;
};

/**
 * The routes beyond create/get/list, over the real app, DynamoDB Local, the local S3 and the
 * simulator (each generation takes 1.5 s, long enough to cancel one midway).
 */
describe("cancel, content, usage, deliveries and uploads", { timeout: 3 * renderWaitMs }, () => {
  let stack: TestStack;
  let app: ReturnType<typeof createApp>;
  let receiver: LocalHttpServer;
  let exampleDataUrl: string;
  let exampleJpeg: Buffer;

  beforeAll(async () => {
    exampleJpeg = await readFile(exampleImagePath);
    exampleDataUrl = `data:image/jpeg;base64,${exampleJpeg.toString("base64")}`;
    receiver = await startLocalHttpServer({ "/hook": (_, response) => response.writeHead(200).end("ok") });
    stack = await startTestStack({ simulator: { generationMs: 1500 } });
    app = createApp(stack.deps, { maxBodyBytes: 20 * 1024 * 1024, idempotencyTtlSeconds: 3600 });
  });
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  /** A tenant of its own per spec, so its usage is exact. */
  async function newTenant(creditsRemaining?: number) {
    const apiKey = newApiKey();
    const webhookSecret = newWebhookSecret();
    const tenant = await seedTenant(stack.deps.tenants, {
      id: `t-${apiKey.slice(-10)}`,
      name: "Spec tenant",
      apiKey,
      webhookSecret,
      ...(creditsRemaining === undefined ? {} : { creditsRemaining }),
    });
    return { tenant, apiKey, webhookSecret };
  }

  const call = (apiKey: string, method: string, path: string, body?: unknown) =>
    app.request(`http://gateway.test${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  async function create(apiKey: string, extra: Record<string, unknown> = {}): Promise<string> {
    const response = await call(apiKey, "POST", "/api/v1/videos/generations", {
      prompt: "The dog turns its head",
      image: exampleDataUrl,
      callback_url: `${receiver.url}/hook`,
      ...extra,
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as Envelope<{ task_id: string }>).data.task_id;
  }

  const isPhase =
    (...phases: string[]) =>
    (task: Task) =>
      phases.includes(task.phase);

  describe("POST /api/v1/tasks/{task_id}/cancel", () => {
    it("cancels a generating task: refunded in the same write, a video.canceled webhook, and never a video", async () => {
      const { tenant, apiKey, webhookSecret } = await newTenant(100);
      const taskId = await create(apiKey);
      const generating = await pollUntil(stack.deps, taskId, isPhase("generating"), renderWaitMs);

      const response = await call(apiKey, "POST", `/api/v1/tasks/${taskId}/cancel`);

      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        code: 200,
        data: { task_id: taskId, status: "canceled" },
      });
      expect(await stack.deps.tenants.getTenant(tenant.id, { consistent: true })).toMatchObject({
        creditsRemaining: 100,
        creditsSpent: 0,
        taskCounts: { inProgress: 0, canceled: 1 },
      });
      const delivery = await deliveryWhen(stack.deps, taskId, delivered);
      expect(delivery.eventType).toBe("video.canceled");
      const sent = receiver.received.find((request) => request.headers["webhook-id"] === delivery.id);
      const payload = new Webhook(webhookSecret).verify(sent?.body ?? "", {
        "webhook-id": String(sent?.headers["webhook-id"]),
        "webhook-timestamp": String(sent?.headers["webhook-timestamp"]),
        "webhook-signature": String(sent?.headers["webhook-signature"]),
      });
      expect(payload).toMatchObject({
        type: "video.canceled",
        data: { task_id: taskId, status: "canceled" },
      });

      // The upstream finishes the generation anyway; the poller must not copy it.
      const upstreamId = generating.upstream?.taskId ?? "";
      while ((await stack.deps.upstream.getTask(upstreamId)).state !== "succeeded") {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await pollUntil(stack.deps, taskId, (task) => task.announced === true, renderWaitMs);
      expect(await stack.deps.tasks.getTask(taskId)).toMatchObject({ phase: "canceled" });
      expect(await stack.deps.media.exists(videoKey(taskId))).toBe(false);
    });

    it("answers the canceled task again when canceled twice, refunding once", async () => {
      const { tenant, apiKey } = await newTenant(100);
      const taskId = await create(apiKey);
      await call(apiKey, "POST", `/api/v1/tasks/${taskId}/cancel`);

      const again = await call(apiKey, "POST", `/api/v1/tasks/${taskId}/cancel`);

      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ data: { task_id: taskId, status: "canceled" } });
      expect(await stack.deps.tenants.getTenant(tenant.id, { consistent: true })).toMatchObject({
        creditsRemaining: 100,
      });
    });

    it("refuses to cancel a completed task with 409 conflict, and an unknown one with 404", async () => {
      const { apiKey } = await newTenant();
      const taskId = await create(apiKey);
      await pollUntil(stack.deps, taskId, isPhase("done"), renderWaitMs);

      const response = await call(apiKey, "POST", `/api/v1/tasks/${taskId}/cancel`);
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({ error: { code: 409, type: "conflict" } });

      const unknown = await call(apiKey, "POST", "/api/v1/tasks/01JD7X0A9M3K5Q8R2T4V6W8Y0Z/cancel");
      expect(unknown.status).toBe(404);
    });
  });

  describe("GET /api/v1/tasks/{task_id}/content", () => {
    it("is 404 before the video exists, then a 302 to a fresh presigned URL of the MP4; status data links it", async () => {
      const { apiKey } = await newTenant();
      const taskId = await create(apiKey);

      const early = await call(apiKey, "GET", `/api/v1/tasks/${taskId}/content`);
      expect(early.status).toBe(404);
      expect(await early.json()).toMatchObject({ error: { code: 404, type: "not_found" } });

      await pollUntil(stack.deps, taskId, isPhase("done"), renderWaitMs);
      const status = (await (await call(apiKey, "GET", `/api/v1/tasks/${taskId}`)).json()) as Envelope<View>;
      expect(status.data.content_url).toBe(`http://gateway.test/api/v1/tasks/${taskId}/content`);

      const redirect = await call(apiKey, "GET", `/api/v1/tasks/${taskId}/content`);
      expect(redirect.status).toBe(302);
      const video = await fetch(redirect.headers.get("location") ?? "");
      expect(video.status).toBe(200);
      const bytes = new Uint8Array(await video.arrayBuffer());
      expect(Buffer.from(bytes.subarray(4, 8)).toString("latin1")).toBe("ftyp");
    });
  });

  describe("GET /api/v1/usage", () => {
    it("counts credits and tasks by status exactly", async () => {
      const { apiKey } = await newTenant(500);
      const finished = await create(apiKey);
      const canceled = await create(apiKey, { model: "hailuo/2-3-image-to-video-pro" });
      await call(apiKey, "POST", `/api/v1/tasks/${canceled}/cancel`);
      const during = ((await (await call(apiKey, "GET", "/api/v1/usage")).json()) as Envelope<unknown>).data;
      await pollUntil(stack.deps, finished, isPhase("done"), renderWaitMs);

      const response = await call(apiKey, "GET", "/api/v1/usage");

      expect(response.status).toBe(200);
      // Standard 6 s (30) running, then done; pro (45) canceled and refunded.
      expect(during).toMatchObject({
        credits_spent: 30,
        credits_remaining: 470,
        tasks: { canceled: 1, failed: 0 },
      });
      expect(((await response.json()) as Envelope<unknown>).data).toEqual({
        credits_spent: 30,
        credits_remaining: 470,
        tasks: { in_progress: 0, completed: 1, failed: 0, canceled: 1 },
      });
    });

    it("says null for credits_remaining when the tenant has no budget", async () => {
      const { apiKey } = await newTenant();
      const usage = ((await (await call(apiKey, "GET", "/api/v1/usage")).json()) as Envelope<unknown>).data;
      expect(usage).toEqual({
        credits_spent: 0,
        credits_remaining: null,
        tasks: { in_progress: 0, completed: 0, failed: 0, canceled: 0 },
      });
    });
  });

  describe("GET /api/v1/tasks/{task_id}/deliveries and POST …/deliveries/redeliver", () => {
    it("lists every attempt, and sends the last event again with a fresh body and the same webhook-id", async () => {
      const { apiKey, webhookSecret } = await newTenant();
      const taskId = await create(apiKey);
      await pollUntil(stack.deps, taskId, isPhase("done"), renderWaitMs);
      const first = await deliveryWhen(stack.deps, taskId, delivered);

      const listed = (await (
        await call(apiKey, "GET", `/api/v1/tasks/${taskId}/deliveries`)
      ).json()) as Envelope<{
        deliveries: { webhook_id: string; state: string; attempts: { status_code: number | null }[] }[];
      }>;
      expect(listed.data.deliveries).toEqual([
        expect.objectContaining({
          webhook_id: first.id,
          event_type: "video.completed",
          state: "delivered",
          attempts: [expect.objectContaining({ status_code: 200, error: null })],
        }),
      ]);

      const response = await call(apiKey, "POST", `/api/v1/tasks/${taskId}/deliveries/redeliver`);

      expect(response.status).toBe(202);
      const again = ((await response.json()) as Envelope<{ webhook_id: string; attempts: unknown[] }>).data;
      expect(again.webhook_id).toBe(first.id);
      expect(again.attempts).toHaveLength(2);
      const sends = receiver.received.filter((request) => request.headers["webhook-id"] === first.id);
      expect(sends).toHaveLength(2);
      const bodies = sends.map(
        (sent) =>
          new Webhook(webhookSecret).verify(sent.body, {
            "webhook-id": String(sent.headers["webhook-id"]),
            "webhook-timestamp": String(sent.headers["webhook-timestamp"]),
            "webhook-signature": String(sent.headers["webhook-signature"]),
          }) as { timestamp: string; data: { video_url: string } },
      );
      expect(bodies[1]?.timestamp).not.toBe(bodies[0]?.timestamp);
      expect(bodies[1]?.data.video_url).toMatch(/^http/);
    });

    it("answers 409 to a redeliver of a task that has sent no webhook", async () => {
      const { apiKey } = await newTenant();
      const taskId = await create(apiKey, { callback_url: null });
      const response = await call(apiKey, "POST", `/api/v1/tasks/${taskId}/deliveries/redeliver`);
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({ error: { type: "conflict" } });
    });
  });

  describe("POST /api/v1/uploads", () => {
    async function upload(apiKey: string, bytes: Uint8Array, contentType = "image/jpeg") {
      const response = await call(apiKey, "POST", "/api/v1/uploads", {
        content_type: contentType,
        content_length: bytes.length,
      });
      expect(response.status).toBe(201);
      const ticket = (
        (await response.json()) as Envelope<{
          image: string;
          upload_url: string;
          method: string;
          headers: Record<string, string>;
          max_bytes: number;
        }>
      ).data;
      const put = await fetch(ticket.upload_url, {
        method: "PUT",
        headers: ticket.headers,
        body: Buffer.from(bytes),
      });
      expect(put.status).toBe(200);
      return ticket;
    }

    it("takes an image in by a presigned PUT, and a create names it as upload:<id>", async () => {
      const { apiKey } = await newTenant();
      const ticket = await upload(apiKey, exampleJpeg);
      expect(ticket).toMatchObject({
        image: expect.stringMatching(/^upload:/),
        method: "PUT",
        max_bytes: 20 * 1024 * 1024,
      });

      const taskId = await create(apiKey, { image: ticket.image });

      const task = await stack.deps.tasks.getTask(taskId);
      expect(task?.image).toEqual({ kind: "stored", key: `inputs/${taskId}`, contentType: "image/jpeg" });
    });

    it("refuses with a 400 naming image: an upload never made, another tenant's, and one that is not an image", async () => {
      const owner = await newTenant(100);
      const other = await newTenant(100);
      const ticket = await upload(owner.apiKey, exampleJpeg);
      const notAnImage = await upload(owner.apiKey, new TextEncoder().encode("just some text"));

      for (const [apiKey, image] of [
        [owner.apiKey, "upload:01JD7X0A9M3K5Q8R2T4V6W8Y0Z"],
        [other.apiKey, ticket.image],
        [owner.apiKey, notAnImage.image],
        [owner.apiKey, "upload:../../inputs/x"],
      ] as const) {
        const response = await call(apiKey, "POST", "/api/v1/videos/generations", { prompt: "x", image });
        expect(response.status, image).toBe(400);
        const body = (await response.json()) as { error: { type: string; message: string } };
        expect(body.error.type).toBe("invalid_request");
        expect(body.error.message).toMatch(/^image/);
      }
      for (const { tenant } of [owner, other]) {
        expect(await stack.deps.tenants.getTenant(tenant.id, { consistent: true })).toMatchObject({
          creditsRemaining: 100,
          taskCounts: { inProgress: 0 },
        });
      }
    });

    it("refuses content types that are not images and sizes over 20 MB", async () => {
      const { apiKey } = await newTenant();
      for (const body of [
        { content_type: "text/html" },
        { content_type: "image/jpeg", content_length: 20 * 1024 * 1024 + 1 },
        {},
      ]) {
        const response = await call(apiKey, "POST", "/api/v1/uploads", body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(await response.json()).toMatchObject({ error: { code: 400, type: "invalid_request" } });
      }
    });
  });
});
