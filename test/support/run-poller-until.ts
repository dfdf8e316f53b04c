import type { Deps } from "../../functions/core/deps.js";
import type { Task } from "../../functions/core/task/task.js";
import { sweepDueWork } from "../../functions/core/use-cases/run-poller.js";
import type { WebhookDelivery } from "../../functions/core/webhook-delivery.js";

/** Runs the poller's sweep, as the local timer does, until `done(task)` or the time runs out. */
export async function pollUntil(
  deps: Deps,
  taskId: string,
  done: (task: Task) => boolean,
  timeoutMs = 30_000,
): Promise<Task> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    await sweepDueWork(deps, { limit: 50, concurrency: 4 });
    const task = await deps.tasks.getTask(taskId);
    if (task && done(task)) return task;
    if (Date.now() > deadline) {
      throw new Error(`task ${taskId} did not get there in ${timeoutMs} ms; it is ${JSON.stringify(task)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Waits, without sweeping, until the task's webhook delivery is in the state `done` means. A task is
 * marked announced before its first attempt is made, so "announced" says nothing about the delivery.
 */
export async function deliveryWhen(
  deps: Deps,
  taskId: string,
  done: (delivery: WebhookDelivery) => boolean,
  timeoutMs = 15_000,
): Promise<WebhookDelivery> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const [delivery] = await deps.deliveries.listDeliveries(taskId);
    if (delivery && done(delivery)) return delivery;
    if (Date.now() > deadline) {
      throw new Error(
        `the webhook of ${taskId} did not get there in ${timeoutMs} ms: ${JSON.stringify(delivery)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A delivery that has had its first attempt recorded (whatever the answer). */
export const attempted = (delivery: WebhookDelivery) => delivery.attempts.length > 0;

/** A delivery that has been delivered. */
export const delivered = (delivery: WebhookDelivery) => delivery.state === "delivered";
