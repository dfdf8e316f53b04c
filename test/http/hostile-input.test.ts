import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../functions/core/api-keys.js";
import type { Task } from "../../functions/core/task/task.js";
import { createApp } from "../../functions/http/create-app.js";
import { makeJpeg } from "../ingest/support/images.js";
import { uniqueName } from "../support/aws-clients.js";
import { aTask, aTenant } from "../support/fixtures.js";
import {
  callerHeaders,
  jsonBodies,
  type Probe,
  pathIds,
  probes,
  queryStrings,
} from "../support/hostile-requests.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

/** Fixed so that a run is repeatable; FC_SEED=<n> explores elsewhere (a failure prints its seed). */
const seed = Number(process.env.FC_SEED ?? 20261202);
const maxBodyBytes = 64 * 1024;
const budget = 100_000;
const refunded = new Set(["failed", "canceled"]);

type World = {
  apiKey: string;
  revokedKey: string;
  /** The caller's own task, another tenant's, and nobody's. */
  taskIds: string[];
  image: string;
};

/**
 * Every route, one row each: how to make hostile requests to it, and whether it may create or
 * charge (then the ledger is checked after every request, else once at the end).
 */
function routeTable(
  world: World,
): { name: string; runs: number; writes: boolean; probe: fc.Arbitrary<Probe> }[] {
  const headers = callerHeaders({ valid: world.apiKey, revoked: world.revokedKey });
  const anyMethod = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
  const taskPath = (suffix: string) =>
    fc
      .tuple(pathIds(world.taskIds), queryStrings({}))
      .map(([id, query]) => `/api/v1/tasks/${id}${suffix}${query}`);
  return [
    {
      name: "POST /api/v1/videos/generations",
      runs: 100,
      writes: true,
      probe: probes({
        methods: ["POST", "POST", "POST", "POST", "POST", "POST", "PUT", "GET"],
        path: queryStrings({}).map((query) => `/api/v1/videos/generations${query}`),
        headers,
        body: jsonBodies(
          {
            model: {
              right: fc.constantFrom("hailuo/2-3-image-to-video-standard", "hailuo/2-3-image-to-video-pro"),
              wrong: fc.constantFrom("hailuo/1", "", "HAILUO"),
            },
            prompt: {
              right: fc.string({ minLength: 1, maxLength: 300 }),
              wrong: fc.string({ maxLength: 2100 }),
            },
            // A real image, and one whose host refuses (the task is kept, its image left to the poller).
            image: {
              right: fc.constantFrom(world.image, "http://127.0.0.1:9/photo.jpg"),
              wrong: fc.constantFrom(
                "data:image/png;base64,AAAA",
                "ftp://x/y.jpg",
                "data:,",
                world.image.slice(0, 200),
              ),
            },
            duration: { right: fc.constantFrom("6", 6), wrong: fc.constantFrom("10", 10, "7", "", -6, 6.5) },
            resolution: {
              right: fc.constantFrom("768P", "768p", "1080P"),
              wrong: fc.constantFrom("720P", "", "1080"),
            },
            callback_url: {
              right: fc.oneof(fc.constant("http://127.0.0.1:9/hooks"), fc.webUrl()),
              wrong: fc.oneof(fc.string(), fc.constant("javascript:alert(1)")),
            },
            prompt_optimizer: { right: fc.boolean(), wrong: fc.constantFrom("true", 1, 0) },
            metadata: {
              right: fc.dictionary(
                fc.string({ minLength: 1, maxLength: 40 }),
                fc.string({ maxLength: 500 }),
                {
                  maxKeys: 16,
                },
              ),
              wrong: fc.dictionary(
                fc.string({ maxLength: 70 }),
                fc.oneof(fc.string({ maxLength: 600 }), fc.integer()),
              ),
            },
          },
          { required: ["prompt", "image"], tooLarge: maxBodyBytes },
        ),
      }),
    },
    {
      name: "GET /api/v1/tasks/{task_id}",
      runs: 400,
      writes: false,
      probe: probes({ methods: ["GET", "GET", "GET", ...anyMethod], path: taskPath(""), headers }),
    },
    {
      name: "GET /api/v1/tasks",
      runs: 400,
      writes: false,
      probe: probes({
        methods: ["GET", "GET", "GET", ...anyMethod],
        path: queryStrings({
          status: ["IN_PROGRESS", "completed", "failed", "canceled", "in_progress", "done"],
          limit: ["1", "20", "100", "0", "101", "-1", "1.5", "1e2", "abc"],
          cursor: ["", "not-a-cursor", "eyJwayI6IlRBU0sjeCJ9"],
        }).map((query) => `/api/v1/tasks${query}`),
        headers,
      }),
    },
    {
      name: "POST /api/v1/tasks/{task_id}/cancel",
      runs: 150,
      writes: true,
      probe: probes({ methods: ["POST", "POST", "POST", ...anyMethod], path: taskPath("/cancel"), headers }),
    },
    {
      name: "GET /api/v1/tasks/{task_id}/content, …/deliveries, POST …/deliveries/redeliver",
      runs: 200,
      writes: false,
      probe: fc.oneof(
        probes({ methods: ["GET", "GET", ...anyMethod], path: taskPath("/content"), headers }),
        probes({ methods: ["GET", "GET", ...anyMethod], path: taskPath("/deliveries"), headers }),
        probes({ methods: ["POST", "POST", ...anyMethod], path: taskPath("/deliveries/redeliver"), headers }),
      ),
    },
    {
      name: "GET /api/v1/usage",
      runs: 100,
      writes: false,
      probe: probes({
        methods: ["GET", "GET", ...anyMethod],
        path: queryStrings({}).map((query) => `/api/v1/usage${query}`),
        headers,
      }),
    },
    {
      name: "POST /api/v1/uploads",
      runs: 200,
      writes: false,
      probe: probes({
        methods: ["POST", "POST", "POST", "GET", "PUT"],
        path: queryStrings({}).map((query) => `/api/v1/uploads${query}`),
        headers,
        body: jsonBodies(
          {
            content_type: {
              right: fc.constantFrom("image/jpeg", "image/png", "image/webp", "IMAGE/PNG"),
              wrong: fc.oneof(fc.string(), fc.constantFrom("image/gif", "text/html", "")),
            },
            content_length: {
              right: fc.integer({ min: 1, max: 20 * 1024 * 1024 }),
              wrong: fc.oneof(fc.integer(), fc.double(), fc.string()),
            },
          },
          { required: ["content_type"], tooLarge: maxBodyBytes },
        ),
      }),
    },
    {
      name: "/health and unknown paths",
      runs: 300,
      writes: false,
      probe: probes({
        methods: anyMethod,
        path: fc.oneof(
          fc.constant("/health"),
          queryStrings({}).map((query) => `/health${query}`),
          pathIds(world.taskIds).map((id) => `/api/v1/${id}`),
          pathIds(world.taskIds).map((id) => `/${id}`),
        ),
        headers,
      }),
    },
  ];
}

// A few seconds on a quiet machine; the timeout leaves room for a loaded one (the runs are fixed).
describe("hostile input, property-based, on every route", { timeout: 300_000 }, () => {
  let stack: TestStack;
  let app: ReturnType<typeof createApp>;
  let world: World;
  let tenantId: string;
  let otherTenantId: string;
  // No upstream (a refusing port) and no poller: whatever a request leaves behind stays as it left it.
  beforeAll(async () => {
    stack = await startTestStack({ simulator: false, env: { MAX_BODY_BYTES: String(maxBodyBytes) } });
    app = createApp(stack.deps, { maxBodyBytes, idempotencyTtlSeconds: 3600 });
    // A budget so that 402 comes up; no rate limit so that the routes, not the limit, answer.
    const tenant = aTenant(budget, { id: uniqueName("hostile"), rateLimitRpm: 0 });
    const other = aTenant(budget, { id: uniqueName("bystander") });
    tenantId = tenant.id;
    otherTenantId = other.id;
    const apiKey = `key-${uniqueName("h")}`;
    const revokedKey = `key-${uniqueName("revoked")}`;
    for (const each of [tenant, other]) await stack.deps.tenants.putTenant(each);
    await stack.deps.tenants.putApiKey(hashApiKey(apiKey), tenant.id);
    await stack.deps.tenants.putApiKey(hashApiKey(revokedKey), tenant.id);
    await stack.deps.tenants.revokeApiKey(hashApiKey(revokedKey), new Date().toISOString());
    const own = aTask({ tenantId: tenant.id, credits: 0 });
    const theirs = aTask({ tenantId: other.id, credits: 0 });
    await stack.deps.media.putObject(own.image.kind === "stored" ? own.image.key : "", "jpeg", "image/jpeg");
    await stack.deps.tasks.createTask(own, tenant);
    await stack.deps.tasks.createTask(theirs, other);
    const jpeg = Buffer.from(await makeJpeg(320, 320)).toString("base64");
    world = {
      apiKey,
      revokedKey,
      taskIds: [own.id, theirs.id, "01jzzzzzzzzzzzzzzzzzzzzzzz"],
      image: `data:image/jpeg;base64,${jpeg}`,
    };
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function send(probe: Probe): Promise<Response> {
    return app.request(probe.path, {
      method: probe.method,
      headers: probe.headers,
      ...(probe.body === undefined ? {} : { body: probe.body }),
    });
  }

  /** Non-2xx: the error body with HTTP status = error.code, never a 500. 2xx: the success body. */
  async function expectPublicShape(probe: Probe, response: Response) {
    const where = `${probe.method} ${probe.path.slice(0, 200)}`;
    expect(response.status, where).toBeLessThan(500);
    const body = JSON.parse(await response.text()) as Record<string, unknown>;
    if (response.ok) {
      expect(body, where).toSatisfy(
        (value: Record<string, unknown>) => value.code === response.status || value.status === "ok",
      );
      return;
    }
    expect(body, where).toEqual({
      error: { code: response.status, message: expect.any(String), type: expect.stringMatching(/^[a-z_]+$/) },
    });
  }

  async function tasksOf(owner: string): Promise<Task[]> {
    const tasks: Task[] = [];
    let cursor: string | undefined;
    do {
      const page = await stack.deps.tasks.listTasks(owner, { limit: 100, ...(cursor ? { cursor } : {}) });
      tasks.push(...page.tasks);
      cursor = page.nextCursor;
    } while (cursor);
    return tasks;
  }

  /**
   * The ledger holds: the tenant has spent exactly what its unrefunded tasks cost, what it spent
   * left its budget, and every task it has is whole (its image stored when it says so).
   */
  async function expectLedger(owner: string, options: { images: boolean }) {
    const [tenant, tasks] = await Promise.all([stack.deps.tenants.getTenant(owner), tasksOf(owner)]);
    const charged = tasks
      .filter((task) => !refunded.has(task.phase))
      .reduce((sum, task) => sum + task.credits, 0);
    expect(tenant?.creditsSpent, `tenant ${owner}`).toBe(charged);
    expect((tenant?.creditsRemaining ?? 0) + (tenant?.creditsSpent ?? 0), `tenant ${owner}`).toBe(budget);
    if (!options.images) return tasks.length;
    for (const task of tasks) {
      if (task.image.kind === "stored") {
        expect(await stack.deps.media.exists(task.image.key), task.id).toBe(true);
      }
    }
    return tasks.length;
  }

  it.each(routeTable({ apiKey: "", revokedKey: "", taskIds: ["x"], image: "" }).map((route) => [route.name]))(
    "%s: never a 500, always the public body, no task half made, no credit moved by a refusal",
    async (name) => {
      const route = routeTable(world).find((each) => each.name === name);
      if (!route) throw new Error(`no route ${name}`);
      const statuses = new Set<number>();
      await fc.assert(
        fc.asyncProperty(route.probe, async (probe) => {
          const before = route.writes ? await stack.deps.tenants.getTenant(tenantId) : undefined;
          const response = await send(probe);
          statuses.add(response.status);
          await expectPublicShape(probe, response);
          if (!route.writes) return;
          if (!response.ok) {
            expect(await stack.deps.tenants.getTenant(tenantId), "a refused request moved credits").toEqual(
              before,
            );
          }
          await expectLedger(tenantId, { images: false });
        }),
        { numRuns: route.runs, seed, endOnFailure: true },
      );
      await expectLedger(tenantId, { images: true });
      await expectLedger(otherTenantId, { images: true });
      // The requests reached the route: some were answered, some refused.
      expect(
        [...statuses].some((status) => status < 300),
        [...statuses].join(","),
      ).toBe(true);
      expect(
        [...statuses].some((status) => status >= 400),
        [...statuses].join(","),
      ).toBe(true);
    },
  );

  it("made some tasks and refused many requests along the way (the table reaches the routes)", async () => {
    expect(await expectLedger(tenantId, { images: true })).toBeGreaterThan(1);
    expect(await expectLedger(otherTenantId, { images: true })).toBe(1);
  });
});
