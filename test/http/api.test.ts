import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../functions/core/api-keys.js";
import { createApp } from "../../functions/http/create-app.js";
import { exampleImagePath } from "../../local/stack/local-app.js";
import { seedTenant } from "../../local/stack/seed-tenant.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

const example = {
  model: "hailuo/2-3-image-to-video-standard",
  prompt: "A golden retriever running through a sunflower field at sunset, slow motion",
  image: "https://example.com/golden-retriever.jpg",
  duration: "6",
  resolution: "768P",
};

describe("the HTTP API", () => {
  let stack: TestStack;
  let app: ReturnType<typeof createApp>;
  // No upstream answers here: creation must still succeed and leave the task queued.
  beforeAll(async () => {
    stack = await startTestStack({ simulator: false, env: { MAX_BODY_BYTES: String(64 * 1024) } });
    app = createApp(stack.deps, { maxBodyBytes: 64 * 1024, idempotencyTtlSeconds: 3600 });
  });
  afterAll(async () => stack?.close());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    app.request("/api/v1/videos/generations", {
      method: "POST",
      headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const get = (path: string, key = stack.apiKey) =>
    app.request(path, { headers: { authorization: `Bearer ${key}` } });

  it("answers /health", async () => {
    expect((await app.request("/health")).status).toBe(200);
  });

  it("records a task and answers IN_PROGRESS even when the upstream is down", async () => {
    const response = await post(example);
    const body = (await response.json()) as { data: { task_id: string } };
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ code: 200, message: "success", data: { status: "IN_PROGRESS" } });
    const task = await stack.deps.tasks.getTask(body.data.task_id);
    expect(task).toMatchObject({ phase: "queued", attempts: 1, tenantId: stack.tenant.id, credits: 30 });
    expect(task?.lastError).toContain("upstream");
    const status = (await (await get(`/api/v1/tasks/${body.data.task_id}`)).json()) as { data: object };
    expect(status.data).toMatchObject({ status: "IN_PROGRESS", phase: "queued", source: "api" });
  });

  it("refuses a missing or unknown key with 401 authentication_error", async () => {
    const missing = await app.request("/api/v1/tasks/x");
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 401, type: "authentication_error" } });
    const unknown = await get("/api/v1/tasks/x", "not-a-key");
    expect(await unknown.json()).toMatchObject({ error: { code: 401, message: "unknown API key" } });
  });

  it("answers malformed JSON with a 400, never a 500", async () => {
    for (const body of ["{not json", "[]", "null", '"text"', ""]) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 400, type: "invalid_request" } });
    }
  });

  it("names the field that breaks a rule", async () => {
    const response = await post({ ...example, duration: "7" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: 400, message: 'duration must be "6" or "10"', type: "invalid_request" },
    });
  });

  it("hides another tenant's task behind a 404", async () => {
    const created = (await (await post(example)).json()) as { data: { task_id: string } };
    await seedTenant(stack.deps.tenants, {
      id: "other",
      name: "Other",
      apiKey: "other-key-123",
      webhookSecret: "whsec_AAAA",
    });
    const response = await get(`/api/v1/tasks/${created.data.task_id}`, "other-key-123");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 404, type: "not_found" } });
    expect(await stack.deps.tenants.tenantByApiKeyHash(hashApiKey("other-key-123"))).toMatchObject({
      id: "other",
    });
  });

  it("returns the first answer for a repeated Idempotency-Key and charges once", async () => {
    const before = (await stack.deps.tenants.getTenant(stack.tenant.id))?.creditsSpent ?? 0;
    const first = (await (await post(example, { "idempotency-key": "order-42" })).json()) as {
      data: { task_id: string };
    };
    const again = (await (await post(example, { "idempotency-key": "order-42" })).json()) as {
      data: { task_id: string };
    };
    expect(again.data.task_id).toBe(first.data.task_id);
    expect((await stack.deps.tenants.getTenant(stack.tenant.id))?.creditsSpent).toBe(before + 30);

    const conflict = await post({ ...example, prompt: "another" }, { "idempotency-key": "order-42" });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ error: { code: 409, type: "idempotency_conflict" } });
  });

  it("refuses a task the budget cannot pay for with 402, and records nothing", async () => {
    await seedTenant(stack.deps.tenants, {
      id: "poor",
      name: "Poor",
      apiKey: "poor-key-1234",
      webhookSecret: "whsec_AAAA",
      creditsRemaining: 40,
    });
    const ok = await post(example, { authorization: "Bearer poor-key-1234" });
    expect(ok.status).toBe(200);
    const refused = await post(example, { authorization: "Bearer poor-key-1234" });
    expect(refused.status).toBe(402);
    expect(await refused.json()).toMatchObject({ error: { code: 402, type: "insufficient_credits" } });
    expect(await stack.deps.tenants.getTenant("poor")).toMatchObject({
      creditsRemaining: 10,
      creditsSpent: 30,
    });
  });

  it("refuses a body over the limit with 413", async () => {
    const response = await post({ ...example, prompt: "x".repeat(100 * 1024) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 413, type: "payload_too_large" } });
  });

  it("keeps a data: URL image under inputs/ and refuses one that is not an image", async () => {
    const small = await readFile(exampleImagePath);
    const bigApp = createApp(stack.deps, { maxBodyBytes: 1024 * 1024, idempotencyTtlSeconds: 60 });
    const send = (image: string) =>
      bigApp.request("/api/v1/videos/generations", {
        method: "POST",
        headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ ...example, image }),
      });
    const accepted = (await (await send(`data:image/jpeg;base64,${small.toString("base64")}`)).json()) as {
      data: { task_id: string };
    };
    const task = await stack.deps.tasks.getTask(accepted.data.task_id);
    expect(task?.image).toEqual({
      kind: "stored",
      key: `inputs/${accepted.data.task_id}`,
      contentType: "image/jpeg",
    });
    expect(await stack.deps.media.exists(`inputs/${accepted.data.task_id}`)).toBe(true);

    const text = await send(`data:image/png;base64,${Buffer.from("just some text").toString("base64")}`);
    expect(text.status).toBe(400);
    expect(await text.json()).toMatchObject({
      error: { message: "image: the file is not a JPEG, PNG or WebP image", type: "invalid_request" },
    });
  });

  it("answers an unknown route with the error body", async () => {
    const response = await get("/api/v1/nothing-here");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 404, type: "not_found" } });
  });
});
