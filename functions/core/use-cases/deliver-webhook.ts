import { webhookRetryDelay } from "../backoff.js";
import { type Deps, forTask } from "../deps.js";
import { ConflictError } from "../errors.js";
import { takeLease } from "../lease.js";
import { metricNames } from "../metrics.js";
import type { WebhookAttemptResult } from "../ports.js";
import type { WebhookDelivery } from "../webhook-delivery.js";

const attemptsKept = 20;

/**
 * One more attempt at a recorded webhook: claim it, sign and send, record what happened and when to
 * try again. Failures are recorded, never thrown, so that the task's own progress never depends on a
 * callback.
 */
export async function deliverWebhook(
  anyDeps: Deps,
  delivery: WebhookDelivery,
): Promise<WebhookDelivery | undefined> {
  const deps = forTask(anyDeps, delivery.taskId);
  const claimed = await claim(deps, delivery);
  if (!claimed) return undefined;
  const next = await attemptOnce(deps, claimed);
  try {
    return await deps.deliveries.saveDelivery({ ...next, version: claimed.version + 1 });
  } catch (error) {
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
}

/**
 * The first attempt at a new webhook, recorded with its outcome in one write: the delivery is
 * created delivered, or due on the retry schedule. Its claim is the task's, which stays due until
 * announced (announceEnd): a crash before the record is written sends it again, under the same
 * `webhook-id`. Should another announcer have recorded it first, that record stands.
 */
export async function deliverFirst(anyDeps: Deps, delivery: WebhookDelivery): Promise<WebhookDelivery> {
  const deps = forTask(anyDeps, delivery.taskId);
  const attempted = await attemptOnce(deps, delivery);
  if (await deps.deliveries.createDelivery(attempted)) return attempted;
  return (await deps.deliveries.getDelivery(delivery.taskId, delivery.eventType)) ?? attempted;
}

/** Signs and sends once, logs and counts the outcome: the delivery as it is after the attempt (same version). */
async function attemptOnce(deps: Deps, claimed: WebhookDelivery): Promise<WebhookDelivery> {
  const started = deps.clock.now();
  const result = await sendOnce(deps, claimed, new Date(started));
  const next = afterAttempt(claimed, result, started, deps.clock.now(), deps.settings.webhookRetryScheduleMs);
  if (result.ok) {
    const sinceEnd = firstDelivery(claimed) ? millisecondsSinceEnd(claimed, deps.clock.now()) : undefined;
    if (sinceEnd !== undefined) deps.metrics.milliseconds(metricNames.doneToWebhookMs, sinceEnd);
    deps.logger.info("webhook delivered", {
      taskId: claimed.taskId,
      messageId: claimed.id,
      status: result.status,
      ...(sinceEnd === undefined ? {} : { sinceEndMs: sinceEnd }),
    });
  } else {
    deps.metrics.count(metricNames.webhookFailures, {
      outcome: next.state === "exhausted" ? "exhausted" : "retrying",
    });
    deps.logger.warn("webhook attempt failed", {
      taskId: claimed.taskId,
      messageId: claimed.id,
      status: result.status,
      error: result.error,
      retryAt: next.nextAttemptAt,
    });
  }
  return next;
}

/** No attempt before this one got through (a redelivery of a delivered webhook is not the first). */
function firstDelivery(delivery: WebhookDelivery): boolean {
  return delivery.attempts.every((attempt) => attempt.error !== undefined);
}

/** From the task's end (`completed_at` of the body's task) to now; undefined if the body names none. */
function millisecondsSinceEnd(delivery: WebhookDelivery, now: number): number | undefined {
  try {
    const completedAt = (JSON.parse(delivery.body) as { data?: { completed_at?: unknown } }).data
      ?.completed_at;
    const endedAt = typeof completedAt === "string" ? Date.parse(completedAt) : Number.NaN;
    return Number.isNaN(endedAt) ? undefined : Math.max(0, now - endedAt);
  } catch {
    return undefined;
  }
}

/** The delivery with this attempt recorded: delivered, due again on the retry schedule, or exhausted. */
function afterAttempt(
  claimed: WebhookDelivery,
  result: WebhookAttemptResult,
  started: number,
  now: number,
  schedule: readonly number[],
): WebhookDelivery {
  const attempt = {
    at: new Date(started).toISOString(),
    durationMs: now - started,
    ...(result.status === undefined ? {} : { status: result.status }),
    ...(result.ok ? {} : { error: result.error }),
  };
  const attempts = [...claimed.attempts, attempt].slice(-attemptsKept);
  const next: WebhookDelivery = { ...claimed, attempts };
  delete next.leaseUntil;
  delete next.nextAttemptAt;
  if (result.ok) {
    next.state = "delivered";
    return next;
  }
  const delay =
    result.retryable === false
      ? undefined
      : webhookRetryDelay(attempts.length, result.retryAfterMs, schedule);
  if (delay === undefined) next.state = "exhausted";
  else next.nextAttemptAt = now + delay;
  return next;
}

/** Signs and sends once; a tenant gone since the task was created is a failed attempt, not a crash. */
async function sendOnce(
  deps: Deps,
  delivery: WebhookDelivery,
  timestamp: Date,
): Promise<WebhookAttemptResult> {
  const tenant = await deps.tenants.getTenant(delivery.tenantId);
  if (!tenant) {
    return { ok: false, error: `the tenant ${delivery.tenantId} no longer exists`, retryable: false };
  }
  return deps.webhooks.send({
    url: delivery.url,
    messageId: delivery.id,
    timestamp,
    body: delivery.body,
    secret: tenant.webhookSecret,
  });
}

async function claim(deps: Deps, delivery: WebhookDelivery): Promise<WebhookDelivery | undefined> {
  if (delivery.state !== "pending") return undefined;
  // Not before its time: a receiver's Retry-After is honoured.
  const timing = { now: deps.clock.now(), leaseMs: deps.settings.leaseMs };
  return takeLease(delivery, delivery.nextAttemptAt, timing, (leaseUntil) =>
    deps.deliveries.saveDelivery({
      ...delivery,
      leaseUntil,
      nextAttemptAt: leaseUntil,
      version: delivery.version + 1,
    }),
  );
}
