import type { ServerResponse } from "node:http";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../functions/config/build-deps.js";
import type { Deps } from "../../functions/core/deps.js";
import { deliverWebhook } from "../../functions/core/use-cases/deliver-webhook.js";
import type { WebhookDelivery } from "../../functions/core/webhook-delivery.js";
import { aDelivery } from "../support/fixtures.js";
import { type LocalHttpServer, startLocalHttpServer } from "../support/local-http-server.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

/** Answers in turn with the statuses given (and headers), then 200. */
function inTurn(...answers: [number, Record<string, string>?][]) {
  let calls = 0;
  return (_: unknown, response: ServerResponse) => {
    const [status, headers] = answers[calls++] ?? [200];
    response.writeHead(status, headers ?? {}).end();
  };
}

/** When attempt `index` of the delivery ended, by its own record. */
function endOf(delivery: WebhookDelivery | undefined, index: number): number {
  const attempt = delivery?.attempts[index];
  return Date.parse(attempt?.at ?? "") + (attempt?.durationMs ?? Number.NaN);
}

function later(deps: Deps, aheadMs: number): Deps {
  return { ...deps, clock: { now: () => Date.now() + aheadMs } };
}

describe("webhooks as the contract says", () => {
  let stack: TestStack;
  let hooks: LocalHttpServer;
  let unique = 0;

  beforeAll(async () => {
    stack = await startTestStack({
      simulator: false,
      env: { WEBHOOK_RETRY_SCHEDULE: "1, 2" },
    });
    hooks = await startLocalHttpServer({
      "/always-failing": (_, response) => response.writeHead(500).end(),
      "/gone": (_, response) => response.writeHead(410).end(),
      "/busy-for-a-while": (_, response) => response.writeHead(503, { "retry-after": "120" }).end(),
      "/silent": () => {},
      "/fails-then-takes-it": inTurn([500]),
    });
  });
  afterAll(async () => {
    await hooks?.close();
    await stack?.close();
  });

  async function pendingDelivery(path: string): Promise<WebhookDelivery> {
    const delivery = aDelivery(`01webhookcontract${++unique}`, {
      tenantId: stack.tenant.id,
      url: `${hooks.url}${path}`,
    });
    await stack.deps.deliveries.createDelivery(delivery);
    return delivery;
  }
  const hitsOf = (path: string) => hooks.received.filter((request) => request.path === path);

  it("follows WEBHOOK_RETRY_SCHEDULE (seconds), then gives up when it runs out", async () => {
    const delivery = await pendingDelivery("/always-failing");

    const first = await deliverWebhook(stack.deps, delivery);
    const second = first && (await deliverWebhook(later(stack.deps, 1_500), first));
    const third = second && (await deliverWebhook(later(stack.deps, 10_000), second));

    // An attempt's next time is counted from its end: its start plus its duration plus the delay.
    expect(first?.nextAttemptAt).toBe(endOf(first, 0) + 1_000);
    expect(second?.nextAttemptAt).toBe(endOf(second, 1) + 2_000);
    expect(third).toMatchObject({ state: "exhausted" });
    expect(third?.attempts.map((attempt) => attempt.status)).toEqual([500, 500, 500]);
    expect(third?.nextAttemptAt).toBeUndefined();
    expect(hitsOf("/always-failing")).toHaveLength(3);
  });

  it("stops retrying at a 410 Gone", async () => {
    const delivery = await pendingDelivery("/gone");

    const settled = await deliverWebhook(stack.deps, delivery);

    expect(settled).toMatchObject({ state: "exhausted", attempts: [{ status: 410 }] });
    expect(settled?.nextAttemptAt).toBeUndefined();
    expect(hitsOf("/gone")).toHaveLength(1);
  });

  it("waits as long as the receiver's Retry-After asks when that is longer than the schedule", async () => {
    const delivery = await pendingDelivery("/busy-for-a-while");

    const settled = await deliverWebhook(stack.deps, delivery);
    const tooSoon = settled && (await deliverWebhook(later(stack.deps, 60_000), settled));

    expect(settled).toMatchObject({ state: "pending", attempts: [{ status: 503 }] });
    expect(settled?.nextAttemptAt).toBe(endOf(settled, 0) + 120_000);
    expect(tooSoon).toBeUndefined(); // not claimed: its time has not come
    expect(hitsOf("/busy-for-a-while")).toHaveLength(1);
  });

  it("ends an attempt at WEBHOOK_TIMEOUT_MS and keeps the delivery for a retry", async () => {
    const impatient = buildDeps(
      { ...stack.settings, environment: { ...stack.settings.environment, WEBHOOK_TIMEOUT_MS: 300 } },
      { serviceName: "test", logger: stack.deps.logger },
    );
    const delivery = await pendingDelivery("/silent");

    const settled = await deliverWebhook(impatient, delivery);

    expect(settled).toMatchObject({ state: "pending" });
    expect(settled?.attempts[0]?.error).toContain("did not answer in time");
    expect(settled?.attempts[0]?.durationMs).toBeLessThan(3_000);
    expect(settled?.attempts[0]?.status).toBeUndefined();
  });

  it("sends the same webhook-id, bytes and a valid signature on every attempt", async () => {
    const delivery = await pendingDelivery("/fails-then-takes-it");

    const first = await deliverWebhook(stack.deps, delivery);
    const delivered = first && (await deliverWebhook(later(stack.deps, 1_500), first));

    expect(delivered).toMatchObject({ state: "delivered" });
    const requests = hitsOf("/fails-then-takes-it");
    expect(requests).toHaveLength(2);
    const verifier = new Webhook(stack.tenant.webhookSecret);
    for (const request of requests) {
      expect(request.headers["webhook-id"]).toBe(delivery.id);
      expect(request.body).toBe(delivery.body);
      expect(verifier.verify(request.body, request.headers as Record<string, string>)).toBeTruthy();
    }
  });
});
