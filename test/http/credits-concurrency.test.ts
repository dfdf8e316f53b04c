import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../functions/http/create-app.js";
import { seedTenant } from "../../local/stack/seed-tenant.js";
import { makeJpeg } from "../ingest/support/images.js";
import { testDynamoEndpoint, uniqueName } from "../support/aws-clients.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";
import { type ConflictInjector, startConflictInjector } from "../support/transaction-conflicts.js";

const parallel = 50;
const conflictsPerTransaction = 2;

describe("credits under concurrency", () => {
  let stack: TestStack;
  let app: ReturnType<typeof createApp>;
  let image: string;
  let conflicts: ConflictInjector;
  // No upstream answers (a refusing port): every accepted task stays queued, none is submitted.
  // DynamoDB Local never lets transactions collide; the proxy makes each create's first tries on the
  // hot tenant's item collide as DynamoDB's do under load, so every create goes through the retries.
  beforeAll(async () => {
    image = `data:image/jpeg;base64,${Buffer.from(await makeJpeg(320, 320)).toString("base64")}`;
    conflicts = await startConflictInjector({
      target: testDynamoEndpoint(),
      pkPrefix: "TENANT#hot-",
      conflictsPerTransaction,
    });
    stack = await startTestStack({ simulator: false, env: { DYNAMODB_ENDPOINT: conflicts.endpoint } });
    app = createApp(stack.deps, { maxBodyBytes: 1024 * 1024, idempotencyTtlSeconds: 3600 });
  });
  afterAll(async () => {
    await stack?.close();
    await conflicts?.close();
  });

  async function tenantWith(creditsRemaining?: number) {
    const apiKey = `key-${uniqueName("c")}`;
    const tenant = await seedTenant(stack.deps.tenants, {
      id: uniqueName("hot"),
      name: "Hot tenant",
      apiKey,
      webhookSecret: "whsec_AAAA",
      ...(creditsRemaining === undefined ? {} : { creditsRemaining }),
    });
    return { tenant, apiKey };
  }

  /** Fires `parallel` creates at once and counts the answers by HTTP status. */
  async function createAtOnce(apiKey: string) {
    const responses = await Promise.all(
      Array.from({ length: parallel }, (_, index) =>
        app.request("/api/v1/videos/generations", {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
          body: JSON.stringify({
            model: "hailuo/2-3-image-to-video-standard",
            prompt: `hot tenant, request ${index}`,
            image,
            duration: "6",
            resolution: "768P",
          }),
        }),
      ),
    );
    const statuses = new Map<number, number>();
    const taskIds: string[] = [];
    for (const response of responses) {
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const body = (await response.json()) as { data?: { task_id: string }; error?: { code: number } };
      if (body.error) expect(body.error.code).toBe(response.status);
      if (body.data) taskIds.push(body.data.task_id);
    }
    return { statuses: Object.fromEntries(statuses), taskIds };
  }

  it("accepts exactly the ten tasks a budget for ten pays for and answers 402 to the other forty", async () => {
    const { tenant, apiKey } = await tenantWith(10 * 30);
    const before = conflicts.injected();

    const { statuses, taskIds } = await createAtOnce(apiKey);

    // Each accepted create collided twice first; a late one may be refused before it tries at all.
    expect(conflicts.injected() - before).toBeGreaterThanOrEqual(10 * conflictsPerTransaction);
    expect(statuses).toEqual({ 200: 10, 402: 40 });
    expect(await stack.deps.tenants.getTenant(tenant.id)).toMatchObject({
      creditsRemaining: 0,
      creditsSpent: 300,
    });
    const tasks = await Promise.all(taskIds.map((id) => stack.deps.tasks.getTask(id)));
    expect(tasks.filter((task) => task?.tenantId === tenant.id)).toHaveLength(10);
    const listed = await stack.deps.tasks.listTasks(tenant.id, { limit: 100 });
    expect(listed.tasks).toHaveLength(10);
  });

  it("accepts all fifty creates of a tenant without a budget, retrying collisions on its item", async () => {
    const { tenant, apiKey } = await tenantWith(undefined);
    const before = conflicts.injected();

    const { statuses, taskIds } = await createAtOnce(apiKey);

    expect(conflicts.injected() - before).toBe(parallel * conflictsPerTransaction);
    expect(statuses).toEqual({ 200: parallel });
    expect(new Set(taskIds).size).toBe(parallel);
    const stored = await stack.deps.tenants.getTenant(tenant.id);
    expect(stored?.creditsSpent).toBe(parallel * 30);
    expect(stored?.creditsRemaining).toBeUndefined();
    const listed = await stack.deps.tasks.listTasks(tenant.id, { limit: 100 });
    expect(listed.tasks).toHaveLength(parallel);
  });
});
