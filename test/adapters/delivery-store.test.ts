import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError } from "../../functions/core/errors.js";
import type { DeliveryStore } from "../../functions/core/ports.js";
import type { WebhookDelivery } from "../../functions/core/webhook-delivery.js";
import { aDelivery, aTask, aTenant } from "../support/fixtures.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

describe("the DynamoDB delivery store", () => {
  let stack: TestStack;
  let deliveries: DeliveryStore;

  beforeAll(async () => {
    stack = await startTestStack({ simulator: false });
    deliveries = stack.deps.deliveries;
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** The next version of `delivery` after one failed attempt. */
  const afterFailedAttempt = (delivery: WebhookDelivery, error: string): WebhookDelivery => ({
    ...delivery,
    attempts: [...delivery.attempts, { at: new Date().toISOString(), status: 500, error, durationMs: 12 }],
    nextAttemptAt: Date.now() + 5_000,
    version: delivery.version + 1,
  });

  it("records a delivery once: a second create of the same task and event is a no-op", async () => {
    // Prepare
    const delivery = aDelivery(aTask().id);

    // Act
    const first = await deliveries.createDelivery(delivery);
    const second = await deliveries.createDelivery({
      ...delivery,
      body: "another body",
      url: "https://other.example",
    });

    // Assess
    expect(first).toBe(true);
    expect(second).toBe(false);
    expect(await deliveries.getDelivery(delivery.taskId, delivery.eventType)).toEqual(delivery);
  });

  it("answers undefined for a delivery never recorded", async () => {
    expect(await deliveries.getDelivery(aTask().id, "video.failed")).toBeUndefined();
  });

  it("saves the next version of a delivery, attempts and all", async () => {
    const delivery = aDelivery(aTask().id);
    await deliveries.createDelivery(delivery);
    const next = afterFailedAttempt(delivery, "the endpoint answered 500");

    await deliveries.saveDelivery(next);

    expect(await deliveries.getDelivery(delivery.taskId, delivery.eventType)).toEqual(next);
  });

  it("throws ConflictError for a save made from a stale read, and keeps the winner's write", async () => {
    const delivery = aDelivery(aTask().id);
    await deliveries.createDelivery(delivery);
    const winner = afterFailedAttempt(delivery, "first worker");
    await deliveries.saveDelivery(winner);

    const stale = deliveries.saveDelivery(afterFailedAttempt(delivery, "second worker"));

    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    expect(await deliveries.getDelivery(delivery.taskId, delivery.eventType)).toEqual(winner);
  });

  it("drops nextAttemptAt when a delivered delivery is saved without it", async () => {
    const delivery = aDelivery(aTask().id);
    await deliveries.createDelivery(delivery);
    const { nextAttemptAt: _next, ...rest } = delivery;

    await deliveries.saveDelivery({ ...rest, state: "delivered", version: 2 });

    const stored = await deliveries.getDelivery(delivery.taskId, delivery.eventType);
    expect(stored).toMatchObject({ state: "delivered", version: 2 });
    expect(stored).not.toHaveProperty("nextAttemptAt");
  });

  it("lists the deliveries of one task, and neither the task itself nor another task's", async () => {
    // Prepare: a task with two deliveries next to its own item, and a neighbour with one.
    const tenant = aTenant(undefined);
    await stack.deps.tenants.putTenant(tenant);
    const task = aTask({ tenantId: tenant.id });
    await stack.deps.tasks.createTask(task, tenant);
    const completed = aDelivery(task.id, { eventType: "video.completed", id: `msg_${task.id}_completed` });
    const failed = aDelivery(task.id, { eventType: "video.failed", id: `msg_${task.id}_failed` });
    const neighbour = aDelivery(aTask().id);
    await Promise.all([completed, failed, neighbour].map((delivery) => deliveries.createDelivery(delivery)));

    // Act
    const listed = await deliveries.listDeliveries(task.id);

    // Assess
    expect(listed).toHaveLength(2);
    expect(listed).toEqual(expect.arrayContaining([completed, failed]));
  });

  it("lists nothing for a task without deliveries", async () => {
    expect(await deliveries.listDeliveries(aTask().id)).toEqual([]);
  });
});
