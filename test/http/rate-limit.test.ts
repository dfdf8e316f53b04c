import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../functions/config/build-deps.js";
import { hashApiKey } from "../../functions/core/api-keys.js";
import type { Deps } from "../../functions/core/deps.js";
import type { Tenant } from "../../functions/core/tenant.js";
import { createApp } from "../../functions/http/create-app.js";
import { makeJpeg } from "../ingest/support/images.js";
import { uniqueName } from "../support/aws-clients.js";
import { aTenant } from "../support/fixtures.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

const minute = 60_000;
/** 45.2 s into a minute: the window ends in 14.8 s, so Retry-After is 15. */
const start = Math.floor(Date.now() / minute) * minute + 45_200;

describe("the per-tenant rate limit", () => {
  let stack: TestStack;
  let image: string;
  let now = start;
  // Two api instances with their own clients over the one table, as two Lambdas would be.
  let first: ReturnType<typeof createApp>;
  let second: ReturnType<typeof createApp>;
  beforeAll(async () => {
    image = `data:image/jpeg;base64,${Buffer.from(await makeJpeg(320, 320)).toString("base64")}`;
    stack = await startTestStack({ simulator: false, env: { RATE_LIMIT_RPM: "2" } });
    const instance = (deps: Deps) =>
      createApp(
        { ...deps, clock: { now: () => now } },
        { maxBodyBytes: 1024 * 1024, idempotencyTtlSeconds: 60 },
      );
    first = instance(stack.deps);
    second = instance(buildDeps(stack.settings, { serviceName: "second", logger: stack.deps.logger }));
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function tenantWith(overrides: Partial<Tenant>) {
    const tenant = aTenant(1000, { id: uniqueName("limited"), ...overrides });
    const apiKey = `key-${uniqueName("r")}`;
    await stack.deps.tenants.putTenant(tenant);
    await stack.deps.tenants.putApiKey(hashApiKey(apiKey), tenant.id);
    return { tenant, apiKey };
  }

  const create = (app: ReturnType<typeof createApp>, apiKey: string) =>
    app.request("/api/v1/videos/generations", {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "hailuo/2-3-image-to-video-standard", prompt: "rate", image }),
    });

  it("answers the fourth request of a minute with 429 and Retry-After, creating nothing and charging nothing", async () => {
    now = start;
    const { tenant, apiKey } = await tenantWith({ rateLimitRpm: 3 });
    const admitted = [await create(first, apiKey), await create(second, apiKey), await create(first, apiKey)];
    expect(admitted.map((response) => response.status)).toEqual([200, 200, 200]);
    const before = await stack.deps.tenants.getTenant(tenant.id);

    const limited = await create(second, apiKey);

    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("15");
    expect(await limited.json()).toEqual({
      error: {
        code: 429,
        message: "rate limit of 3 requests per minute reached; retry in 15 s",
        type: "rate_limit_exceeded",
      },
    });
    expect(await stack.deps.tenants.getTenant(tenant.id)).toEqual(before);
    expect(before).toMatchObject({ creditsRemaining: 1000 - 3 * 30, creditsSpent: 90 });
    expect((await stack.deps.tasks.listTasks(tenant.id, { limit: 10 })).tasks).toHaveLength(3);
    // Reads count too, and a refused request does not use up the next one's place.
    expect(
      (await first.request("/api/v1/tasks", { headers: { authorization: `Bearer ${apiKey}` } })).status,
    ).toBe(429);

    now = start + minute - 45_200; // the next minute
    expect((await create(first, apiKey)).status).toBe(200);
    expect((await stack.deps.tasks.listTasks(tenant.id, { limit: 10 })).tasks).toHaveLength(4);
  });

  it("takes RATE_LIMIT_RPM for a tenant without its own limit, and no limit for one with 0", async () => {
    now = start + 5 * minute;
    const { apiKey: byDefault } = await tenantWith({});
    const statuses = [];
    for (let request = 0; request < 3; request++) {
      statuses.push(
        (await first.request("/api/v1/tasks", { headers: { authorization: `Bearer ${byDefault}` } })).status,
      );
    }
    expect(statuses).toEqual([200, 200, 429]);

    const { apiKey: unlimited } = await tenantWith({ rateLimitRpm: 0 });
    for (let request = 0; request < 5; request++) {
      const response = await second.request("/api/v1/tasks", {
        headers: { authorization: `Bearer ${unlimited}` },
      });
      expect(response.status).toBe(200);
    }
  });

  it("leaves /health alone", async () => {
    for (let request = 0; request < 4; request++) expect((await first.request("/health")).status).toBe(200);
  });
});
