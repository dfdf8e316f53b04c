import type { Deps } from "../deps.js";
import { ConflictError, MissingTenantError } from "../errors.js";
import { metricNames } from "../metrics.js";
import { statusKey } from "../output-keys.js";
import { type EndPhase, isTerminal } from "../task/phases.js";
import { moveTask, type Task, type TaskError, touchTask } from "../task/task.js";
import { type TaskView, taskView } from "../task/task-view.js";
import { webhookBody, webhookEventFor, webhookMessageId } from "../webhook-delivery.js";
import { deliverFirst } from "./deliver-webhook.js";
import { releaseSlotOf } from "./pace-upstream.js";

/** Fails a task for good: refunds its credits in the same write, then tells the caller. */
export async function failTask(deps: Deps, task: Task, error: TaskError): Promise<Task> {
  const now = deps.clock.now();
  const failedTask = moveTask(task, "failed", { error, nextPollAt: now + deps.settings.leaseMs }, now);
  let failed: Task;
  try {
    failed = await saveEnding(deps, failedTask);
  } catch (saveError) {
    if (saveError instanceof ConflictError) return (await deps.tasks.getTask(task.id)) ?? task;
    throw saveError;
  }
  await releaseSlotOf(deps, task, failed);
  deps.metrics.count(metricNames.tasksFailed, { code: error.code });
  // Its credits went back to the tenant in the same write.
  deps.logger.warn("task failed", {
    taskId: task.id,
    tenantId: task.tenantId,
    code: error.code,
    reason: error.message,
    refunded: task.credits,
  });
  return announceEnd(deps, failed);
}

/**
 * Writes the move of a task into its end, with the tenant's counts (and refund, for a failed or
 * canceled task) in the same transaction. A task whose tenant is gone has nobody to count or refund:
 * it ends all the same (else it would be retried for ever).
 */
export async function saveEnding(deps: Deps, ended: Task): Promise<Task> {
  const refund = ended.phase === "failed" || ended.phase === "canceled";
  try {
    return await deps.tasks.saveTask(ended, { ending: true, refund });
  } catch (error) {
    if (!(error instanceof MissingTenantError)) throw error;
    deps.logger.error("ending a task whose tenant is missing: nothing counted or refunded", {
      taskId: ended.id,
      tenantId: ended.tenantId,
      credits: ended.credits,
    });
    return deps.tasks.saveTask(ended);
  }
}

/**
 * The view of a task as clients get it, with a fresh presigned URL when the video is there, and its
 * stable `content_url` under `origin` (the api's public URL by default; a request's own origin).
 */
export async function viewOf(
  deps: Deps,
  task: Task,
  origin: string | undefined = deps.settings.publicBaseUrl,
): Promise<TaskView> {
  if (task.phase !== "done" || !task.output) return taskView(task);
  const ttl = deps.settings.videoUrlTtlSeconds;
  const url = await deps.media.presignGet(task.output.key, ttl);
  return taskView(task, {
    url,
    expiresAt: new Date(deps.clock.now() + ttl * 1000).toISOString(),
    ...(origin ? { origin } : {}),
  });
}

/**
 * Tells the world that a task has ended: writes outputs/<id>.json for a drop-folder task (its only
 * answer; an API caller has the API and its webhook), makes the webhook's first attempt and records
 * it, then takes the task off the due index. Until it is marked announced the task stays due, so a
 * crash here is finished by the poller; running again is safe (the JSON is rewritten, a recorded
 * webhook is not sent again: its retries are the poller's), and two at once may both send the
 * webhook (at least once, under one `webhook-id`).
 */
export async function announceEnd(deps: Deps, task: Task): Promise<Task> {
  if (!isTerminal(task.phase) || task.announced) return task;
  const statusJson = task.source.kind === "inbox";
  // The view presigns the video's URL: made only for someone who will read it.
  const view = statusJson || task.callbackUrl ? await viewOf(deps, task) : undefined;
  if (view && statusJson) {
    await deps.media.putObject(statusKey(task.id), JSON.stringify(view, null, 2), "application/json");
  }
  if (view && task.callbackUrl) await sendEndWebhook(deps, task, task.phase, view);
  try {
    const now = deps.clock.now();
    return await deps.tasks.saveTask(
      touchTask(task, { announced: true, nextPollAt: undefined, leaseUntil: undefined }, now),
    );
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    return task;
  }
}

async function sendEndWebhook(deps: Deps, task: Task, phase: EndPhase, view: TaskView): Promise<void> {
  const eventType = webhookEventFor(phase);
  if (await deps.deliveries.getDelivery(task.id, eventType)) return;
  const now = deps.clock.now();
  await deliverFirst(deps, {
    id: webhookMessageId(task.id, eventType),
    taskId: task.id,
    tenantId: task.tenantId,
    eventType,
    url: task.callbackUrl ?? "",
    body: webhookBody(eventType, now, view),
    createdAt: new Date(now).toISOString(),
    state: "pending",
    attempts: [],
    nextAttemptAt: now,
    version: 1,
  });
}
