import { webhookRetryDelay } from "../backoff.js";
import type { Deps } from "../deps.js";
import { ConflictError } from "../errors.js";
import type { WebhookDelivery } from "../webhook-delivery.js";

const attemptsKept = 20;

/**
 * One attempt at a webhook: claim it, sign and send, record what happened and when to try again.
 * Failures are recorded, never thrown, so that the task's own progress never depends on a callback.
 */
export async function deliverWebhook(
  deps: Deps,
  delivery: WebhookDelivery,
): Promise<WebhookDelivery | undefined> {
  const claimed = await claim(deps, delivery);
  if (!claimed) return undefined;
  const tenant = await deps.tenants.getTenant(claimed.tenantId);
  if (!tenant) throw new Error(`tenant ${claimed.tenantId} of task ${claimed.taskId} is missing`);

  const started = deps.clock.now();
  const result = await deps.webhooks.send({
    url: claimed.url,
    messageId: claimed.id,
    timestamp: new Date(started),
    body: claimed.body,
    secret: tenant.webhookSecret,
  });
  const now = deps.clock.now();
  const attempt = {
    at: new Date(started).toISOString(),
    durationMs: now - started,
    ...(result.status === undefined ? {} : { status: result.status }),
    ...(result.ok ? {} : { error: result.error }),
  };
  const attempts = [...claimed.attempts, attempt].slice(-attemptsKept);
  const next: WebhookDelivery = { ...claimed, attempts, version: claimed.version + 1 };
  delete next.leaseUntil;
  delete next.nextAttemptAt;
  if (result.ok) {
    next.state = "delivered";
    deps.logger.info("webhook delivered", {
      taskId: claimed.taskId,
      messageId: claimed.id,
      status: result.status,
    });
  } else {
    const delay = webhookRetryDelay(attempts.length, result.retryAfterMs);
    if (delay === undefined) {
      next.state = "exhausted";
    } else {
      next.nextAttemptAt = now + delay;
    }
    deps.logger.warn("webhook attempt failed", {
      taskId: claimed.taskId,
      messageId: claimed.id,
      status: result.status,
      error: result.error,
      retryInMs: delay,
    });
  }
  try {
    return await deps.deliveries.saveDelivery(next);
  } catch (error) {
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
}

async function claim(deps: Deps, delivery: WebhookDelivery): Promise<WebhookDelivery | undefined> {
  const now = deps.clock.now();
  if (delivery.state !== "pending" || (delivery.leaseUntil ?? 0) > now) return undefined;
  const leaseUntil = now + deps.settings.leaseMs;
  try {
    return await deps.deliveries.saveDelivery({
      ...delivery,
      leaseUntil,
      nextAttemptAt: leaseUntil,
      version: delivery.version + 1,
    });
  } catch (error) {
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
}
