import type { Deps } from "../deps.js";
import { ConflictError, TaskStateError } from "../errors.js";
import type { Tenant } from "../tenant.js";
import { type WebhookDelivery, webhookBody } from "../webhook-delivery.js";
import { deliverWebhook } from "./deliver-webhook.js";
import { viewOf } from "./finish-task.js";
import { ownTask } from "./get-task.js";

/** Every webhook message of a tenant's own task, with each attempt, oldest first. */
export async function taskDeliveries(deps: Deps, tenant: Tenant, taskId: string): Promise<WebhookDelivery[]> {
  await ownTask(deps, tenant, taskId);
  return deliveriesOldestFirst(deps, taskId);
}

async function deliveriesOldestFirst(deps: Deps, taskId: string): Promise<WebhookDelivery[]> {
  const deliveries = await deps.deliveries.listDeliveries(taskId);
  return deliveries.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/**
 * Sends the task's last webhook event again, now: a fresh body (the task as it is now, a new
 * timestamp) under the same `webhook-id`, so a receiver that deduplicates sees one message. The
 * attempt is recorded like any other; if it fails, the retry schedule goes on from there.
 */
export async function redeliverLast(deps: Deps, tenant: Tenant, taskId: string): Promise<WebhookDelivery> {
  const task = await ownTask(deps, tenant, taskId);
  const last = (await deliveriesOldestFirst(deps, taskId)).at(-1);
  if (!last) {
    throw new TaskStateError(
      `task ${taskId} has no webhook to send again (it has not ended, or it has no callback_url)`,
    );
  }
  const now = deps.clock.now();
  const { leaseUntil: _lease, ...rest } = last;
  const again = await deps.deliveries
    .saveDelivery({
      ...rest,
      body: webhookBody(last.eventType, now, await viewOf(deps, task)),
      state: "pending",
      nextAttemptAt: now,
      version: last.version + 1,
    })
    .catch((error: unknown) => {
      if (!(error instanceof ConflictError)) throw error;
      throw new TaskStateError(`a webhook of task ${taskId} is being sent right now; try again in a moment`);
    });
  return (
    (await deliverWebhook(deps, again)) ??
    (await deps.deliveries.getDelivery(taskId, last.eventType)) ??
    again
  );
}
