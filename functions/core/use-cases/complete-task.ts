import { type Deps, forTask } from "../deps.js";
import { ConflictError, NotFoundError } from "../errors.js";
import { metricNames } from "../metrics.js";
import { taskIdOfVideoKey, videoKey } from "../output-keys.js";
import { moveTask, type Task } from "../task/task.js";
import { announceEnd, saveEnding } from "./finish-task.js";

/**
 * The video of `taskId` is in the bucket: mark the task done and tell the caller. Driven by the
 * bucket's ObjectCreated event (notify) and, should that be lost, by the poller. A duplicate call
 * after the first has ended is a no-op (two at the same instant may both send the webhook: at least
 * once, under one `webhook-id`); a crash half-way leaves the task done but not announced, still
 * due, which the poller finishes (announceEnd).
 */
export async function completeTask(anyDeps: Deps, taskId: string): Promise<Task> {
  const deps = forTask(anyDeps, taskId);
  for (let round = 0; round < 5; round++) {
    const task = await deps.tasks.getTask(taskId);
    if (!task) throw new NotFoundError(`no task ${taskId} for its video`);
    try {
      return await finishFrom(deps, task);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Someone else wrote the task meanwhile (a poller's bookkeeping): read again and retry.
    }
  }
  throw new ConflictError(`task ${taskId} kept changing while being completed`);
}

async function finishFrom(deps: Deps, task: Task): Promise<Task> {
  const now = deps.clock.now();
  switch (task.phase) {
    case "copying": {
      // The copy's progress (a multipart upload's parts) has served its purpose.
      const { copy: _progress, ...copied } = task;
      const patch = {
        output: { key: videoKey(task.id) },
        nextPollAt: announceGuard(task, now, deps.settings.leaseMs),
      };
      const done = await saveEnding(deps, moveTask(copied, "done", patch, now));
      deps.metrics.count(metricNames.tasksCompleted);
      deps.logger.info("task completed", { taskId: task.id });
      return announceEnd(deps, done);
    }
    case "done":
      return announceEnd(deps, task);
    case "canceled":
      // A copy that finished as the task was canceled: the caller gave the video up, and pays nothing.
      await deps.media.deleteObject(videoKey(task.id));
      deps.logger.info("deleted the video of a canceled task", { taskId: task.id });
      return task;
    default:
      deps.logger.warn("video arrived for a task that is not copying; ignored", {
        taskId: task.id,
        phase: task.phase,
      });
      return task;
  }
}

/**
 * When a done task not yet announced falls due (the guard against a crash before its announcement):
 * the copy's lease where at least half of one is left, as it is when notify follows the copy by
 * seconds, so that the done write leaves the task's place in the due index alone; else a fresh lease.
 */
function announceGuard(task: Task, now: number, leaseMs: number): number {
  const held = task.nextPollAt;
  // Never later than a fresh lease: a retry's backoff must not hold back an unsent webhook.
  const isLease = held !== undefined && held - now >= leaseMs / 2 && held <= now + leaseMs;
  return isLease ? held : now + leaseMs;
}

/** What notify does with the keys of an ObjectCreated event on outputs/*.mp4. */
export async function completeVideos(deps: Deps, keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    const taskId = taskIdOfVideoKey(key);
    if (!taskId) {
      deps.logger.warn("ignored an object that is not a task video", { key });
      continue;
    }
    try {
      await completeTask(deps, taskId);
    } catch (error) {
      // A video nobody asked for (put by hand, or its task's record removed): retrying cannot help.
      if (!(error instanceof NotFoundError)) throw error;
      deps.logger.warn("ignored a video whose task does not exist", { key, taskId });
    }
  }
}
