import type { Deps } from "../deps.js";
import { NotFoundError } from "../errors.js";
import { parsePushToken, pushSecretMatches } from "../push/push-token.js";
import { isAtProvider } from "../task/phases.js";
import type { Task } from "../task/task.js";
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

/** `taken`: the push's own request took the task's step; `left`: another worker has it, or the poller will. */
export type PushOutcome = "taken" | "left" | "ignored";

/**
 * A provider's push is a hint, never the result: an end status makes the push's own request take
 * the task's poll turn at once, before it is due, as the poller would take it: ask the provider
 * itself, and on success copy the video (whose S3 event then completes the task and sends the
 * webhook). So a pushed video does not wait for the next sweep. Should that step fail or its worker
 * stop, the task's next poll is one interval away, and the poller takes it as usual. The turn is a
 * write conditional on the version read: a task another worker holds or just took is left to it.
 */
export async function acceptPush(deps: Deps, task: Task, status: unknown): Promise<PushOutcome> {
  const hint = typeof status === "string" ? status.toLowerCase() : "";
  if (!endStatuses.has(hint) || !isAtProvider(task.phase)) return "ignored";
  deps.logger.info("push: polling the task now", { taskId: task.id, status: hint });
  try {
    return (await advanceTask(deps, task, { pushed: true })) ? "taken" : "left";
  } catch (error) {
    deps.logger.warn("a pushed task's step failed; the poller takes it", { taskId: task.id, error });
    return "left";
  }
}
