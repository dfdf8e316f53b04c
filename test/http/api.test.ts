import { readFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../functions/core/api-keys.js";
import { createApp } from "../../functions/http/create-app.js";
import { exampleImagePath } from "../../local/stack/local-app.js";
import { seedTenant } from "../../local/stack/seed-tenant.js";
import { makeJpeg } from "../ingest/support/images.js";
import { aTask } from "../support/fixtures.js";
import { type LocalHttpServer, startLocalHttpServer } from "../support/local-http-server.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

const example = {
  model: "hailuo/2-3-image-to-video-standard",
  prompt: "A golden retriever running through a sunflower field at sunset, slow motion",
  image: "", // served by the image host below
  duration: "6",
  resolution: "768P",
};

describe("the HTTP API", () => {
  let stack: TestStack;
  let app: ReturnType<typeof createApp>;
  let images: LocalHttpServer;
  // No upstream answers here: creation must still succeed and leave the task queued.
  beforeAll(async () => {
    const [exampleJpeg, tinyJpeg] = await Promise.all([readFile(exampleImagePath), makeJpeg(200, 200)]);
    const send =
      (body: Uint8Array | string, status = 200) =>
      (_: unknown, response: ServerResponse) =>
        response.writeHead(status, { "content-type": "image/jpeg" }).end(body);
    images = await startLocalHttpServer({
      "/golden-retriever.jpg": send(exampleJpeg),
      "/tiny.jpg": send(tinyJpeg),
      "/notes.jpg": send("just some text"),
      "/busy.jpg": send("try again later", 503),
    });
    example.image = `${images.url}/golden-retriever.jpg`;
    stack = await startTestStack({ simulator: false, env: { MAX_BODY_BYTES: String(64 * 1024) } });
    app = createApp(stack.deps, { maxBodyBytes: 64 * 1024, idempotencyTtlSeconds: 3600 });
  });
  afterAll(async () => {
    await stack?.close();
    await images?.close();
  });

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
    // The upstream will read our validated copy of the image, not the caller's URL.
    expect(task?.image).toEqual({ kind: "stored", key: `inputs/${task?.id}`, contentType: "image/jpeg" });
    expect(await stack.deps.media.head(`inputs/${task?.id}`)).toMatchObject({
      size: (await readFile(exampleImagePath)).length,
      contentType: "image/jpeg",
    });
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

  it("refuses an image URL that is not a usable image with a 400 that says why, and charges nothing", async () => {
    const before = await stack.deps.tenants.getTenant(stack.tenant.id);
    const cases = [
      ["/notes.jpg", "image: the file is not a JPEG, PNG or WebP image"],
      ["/tiny.jpg", "image: the image is 200×200 px; its short side must be over 300 px"],
      ["/missing.jpg", "image: the image URL answered HTTP 404"],
    ] as const;
    for (const [path, message] of cases) {
      const response = await post({ ...example, image: `${images.url}${path}` });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: { code: 400, message, type: "invalid_request" } });
    }
    expect(await stack.deps.tenants.getTenant(stack.tenant.id)).toEqual(before);
  });

  it("accepts a task whose image host is failing for now, and leaves the image to the poller", async () => {
    const response = await post({ ...example, image: `${images.url}/busy.jpg` });
    const body = (await response.json()) as { data: { task_id: string } };

    expect(response.status).toBe(200);
    const task = await stack.deps.tasks.getTask(body.data.task_id);
    expect(task).toMatchObject({ phase: "queued", image: { kind: "url", url: `${images.url}/busy.jpg` } });
    expect(task?.nextPollAt).toBeLessThanOrEqual(Date.now());
  });

  it("refuses over-long URLs with a 400 and answers impossible task ids with a 404, never a 500", async () => {
    const longUrl = `${images.url}/${"a".repeat(3000)}.jpg`;
    const image = await post({ ...example, image: longUrl });
    expect(image.status).toBe(400);
    expect(await image.json()).toMatchObject({
      error: { message: "image must be at most 2048 characters", type: "invalid_request" },
    });
    const callback = await post({ ...example, callback_url: longUrl });
    expect(callback.status).toBe(400);

    for (const id of ["x".repeat(5000), "..%2F..%2Fetc", "täsk"]) {
      const response = await get(`/api/v1/tasks/${id}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 404, type: "not_found" } });
    }
  });

  it("lists the tenant's own tasks, newest first, by status, page by page", async () => {
    const lister = await seedTenant(stack.deps.tenants, {
      id: "lister",
      name: "Lister",
      apiKey: "lister-key-123",
      webhookSecret: "whsec_AAAA",
    });
    const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
    const done = aTask({ tenantId: "lister", phase: "done", createdAt: at(30) });
    const failed = aTask({
      tenantId: "lister",
      phase: "failed",
      createdAt: at(20),
      error: { code: "generation_failed", message: "y" },
    });
    const queued = aTask({ tenantId: "lister", createdAt: at(10) });
    for (const task of [done, failed, queued]) await stack.deps.tasks.createTask(task, lister);
    type Page = { data: { tasks: { task_id: string; status: string }[]; next_cursor: string | null } };
    const list = async (query: string) =>
      (await (await get(`/api/v1/tasks${query}`, "lister-key-123")).json()) as Page;
    const ids = (page: Page) => page.data.tasks.map((task) => task.task_id);

    expect(ids(await list(""))).toEqual([queued.id, failed.id, done.id]);
    expect(ids(await list("?status=failed"))).toEqual([failed.id]);
    expect(ids(await list("?status=in_progress"))).toEqual([queued.id]);
    const first = await list("?limit=2");
    expect(ids(first)).toEqual([queued.id, failed.id]);
    const second = await list(`?limit=2&cursor=${first.data.next_cursor}`);
    expect(second.data).toMatchObject({ next_cursor: null });
    expect(ids(second)).toEqual([done.id]);
    // The stack's own tenant never sees them.
    expect(ids((await (await get("/api/v1/tasks?limit=100")).json()) as Page)).not.toContain(done.id);

    // Filtered pages of one: every failed task once, newest first, none of the others in between.
    const olderFailed = aTask({
      tenantId: "lister",
      phase: "failed",
      createdAt: at(40),
      error: { code: "content_moderation", message: "z" },
    });
    await stack.deps.tasks.createTask(olderFailed, lister);
    const seen: string[] = [];
    let cursor: string | null = "";
    for (let page = 0; cursor !== null && page < 10; page++) {
      const next = await list(`?status=FAILED&limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...ids(next));
      cursor = next.data.next_cursor;
    }
    expect(seen).toEqual([failed.id, olderFailed.id]);
  });

  it("refuses list queries out of their rules with a 400 naming the parameter", async () => {
    const forged = Buffer.from(
      JSON.stringify({ pk: "TASK#x", sk: "TASK", owner: "lister", createdAt: new Date().toISOString() }),
    ).toString("base64url");
    const cases = [
      ["?limit=0", "limit must be a number from 1 to 100"],
      ["?limit=abc", "limit must be a number from 1 to 100"],
      ["?status=done", "status must be one of IN_PROGRESS, completed, failed, canceled"],
      ["?cursor=not-a-cursor", "cursor is not one this API gave out"],
      [`?cursor=${forged}`, "cursor is not one this API gave out"],
    ] as const;
    for (const [query, message] of cases) {
      const response = await get(`/api/v1/tasks${query}`);
      expect(response.status, query).toBe(400);
      expect((await response.json()) as object, query).toMatchObject({ error: { type: "invalid_request" } });
      expect(JSON.stringify(await (await get(`/api/v1/tasks${query}`)).json()), query).toContain(message);
    }
  });

  it("refuses, as deployed, a task whose only callback is the account's default on a private address", async () => {
    const deployed = { ...stack.deps, settings: { ...stack.deps.settings, allowPrivateUrls: false } };
    const strictApp = createApp(deployed, { maxBodyBytes: 64 * 1024, idempotencyTtlSeconds: 3600 });
    await seedTenant(stack.deps.tenants, {
      id: "hooked",
      name: "Hooked",
      apiKey: "hooked-key-1234",
      webhookSecret: "whsec_AAAA",
      defaultCallbackUrl: "https://[::ffff:7f00:1]/hooks",
    });
    const image = `data:image/jpeg;base64,${Buffer.from(await makeJpeg(640, 360)).toString("base64")}`;
    const create = (extra: Record<string, unknown>) =>
      strictApp.request("/api/v1/videos/generations", {
        method: "POST",
        headers: { authorization: "Bearer hooked-key-1234", "content-type": "application/json" },
        body: JSON.stringify({ ...example, image, ...extra }),
      });

    const refused = await create({});
    const withOwnCallback = await create({ callback_url: "https://hooks.example.com/hailuo" });

    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: {
        code: 400,
        message: expect.stringContaining("default callback URL must point to a public host"),
      },
    });
    expect(withOwnCallback.status).toBe(200);
  });

  it("answers an unknown route with the error body", async () => {
    const response = await get("/api/v1/nothing-here");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 404, type: "not_found" } });
  });
});
