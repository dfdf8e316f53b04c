import type { Deps } from "../deps.js";
import { ConflictError, NotFoundError } from "../errors.js";
import { parsePushToken, pushSecretMatches } from "../push/push-token.js";
import type { Task } from "../task/task.js";
import { touchTask } from "../task/task.js";
import { advanceTask } from "./advance-task.js";

/** The task a push URL's token names, or NotFoundError for any token we did not hand out. */
export async function findPushedTask(deps: Deps, token: string): Promise<Task> {
  const parsed = parsePushToken(token);
  const task = parsed ? await deps.tasks.getTask(parsed.taskId) : undefined;
  if (!parsed || !task || !pushSecretMatches(task, parsed.secret)) {
    throw new NotFoundError("no such callback");
  }
  return task;
}

/** Pushed statuses worth a query: the end of a generation. Progress pushes would only spend budget. */
const endStatuses = new Set(["success", "succeeded", "fail", "failed"]);

/** `taken`: the push's own request took the task's step; `due`: that step is left to the poller. */
export type PushOutcome = "taken" | "due" | "ignored";

/**
 * A provider's push is a hint, never the result: an end status makes the task due now, and the
 * step is then taken at once, in the push's own request, as the poller would take it: claim a
 * lease, ask the provider itself, and on success copy the video (whose S3 event then completes the
 * task and sends the webhook). So a pushed video does not wait for the next sweep. Should that
 * step fail or its worker stop, the task is due and leased, and the poller picks it up as usual.
 * The writes are conditional on the version read; a task a worker holds right now is left to it.
 */
export async function acceptPush(deps: Deps, task: Task, status: unknown): Promise<PushOutcome> {
  const now = deps.clock.now();
  const hint = typeof status === "string" ? status.toLowerCase() : "";
  const waiting = task.phase === "submitted" || task.phase === "generating";
  if (!endStatuses.has(hint) || !waiting) return "ignored";
  if ((task.leaseUntil ?? 0) > now || (task.nextPollAt ?? 0) <= now) return "ignored";
  let due: Task;
  try {
    due = await deps.tasks.saveTask(touchTask(task, { nextPollAt: now }, now));
  } catch (error) {
    if (error instanceof ConflictError) return "ignored";
    throw error;
  }
  deps.logger.info("push made the task due", { taskId: task.id, status: hint });
  try {
    return (await advanceTask(deps, due)) ? "taken" : "due";
  } catch (error) {
    deps.logger.warn("a pushed task's step failed; the poller takes it", { taskId: task.id, error });
    return "due";
  }
}
