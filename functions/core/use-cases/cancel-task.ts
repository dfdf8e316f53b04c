import { type Deps, forTask } from "../deps.js";
import { ConflictError, TaskStateError } from "../errors.js";
import { metricNames } from "../metrics.js";
import { videoKey } from "../output-keys.js";
import { moveTask, type Task } from "../task/task.js";
import type { TaskView } from "../task/task-view.js";
import type { Tenant } from "../tenant.js";
import { announceEnd, saveEnding, viewOf } from "./finish-task.js";
import { ownTask } from "./get-task.js";
import { releaseSlotOf } from "./pace-upstream.js";

/** Reads and writes of a cancel that lost a race with a worker, before it gives up (never for ever). */
const cancelRounds = 5;

/**
 * Stops a task that has not finished: it becomes `canceled` with its credits back in the same
 * write, and a `video.canceled` webhook goes out. The poller never copies its video: every step
 * writes the version it read, so a worker in the middle of one loses its write to this one. A task
 * that is done or failed cannot be canceled; canceling twice answers the canceled task again.
 */
export async function cancelTask(
  anyDeps: Deps,
  tenant: Tenant,
  taskId: string,
  origin?: string,
): Promise<TaskView> {
  const deps = forTask(anyDeps, taskId);
  for (let round = 0; round < cancelRounds; round++) {
    const task = await ownTask(deps, tenant, taskId);
    if (task.phase === "canceled") return viewOf(deps, await announceEnd(deps, task), origin);
    if (task.phase === "done" || task.phase === "failed") {
      throw new TaskStateError(`task ${taskId} is ${task.phase}; only an unfinished task can be canceled`);
    }
    const now = deps.clock.now();
    let canceled: Task;
    try {
      const { copy: _partsSoFar, ...unfinished } = task;
      canceled = await saveEnding(
        deps,
        moveTask(unfinished, "canceled", { nextPollAt: now + deps.settings.leaseMs }, now),
      );
    } catch (error) {
      if (error instanceof ConflictError) continue; // a worker moved it meanwhile: look again
      throw error;
    }
    await releaseSlotOf(deps, task, canceled);
    deps.metrics.count(metricNames.tasksCanceled);
    deps.logger.info("task canceled", {
      taskId,
      tenantId: task.tenantId,
      phase: task.phase,
      refunded: task.credits,
    });
    if (task.copy) await deps.media.abortMultipart(videoKey(task.id), task.copy.uploadId);
    return viewOf(deps, await announceEnd(deps, canceled), origin);
  }
  throw new TaskStateError(`task ${taskId} kept changing while being canceled; try again`);
}
