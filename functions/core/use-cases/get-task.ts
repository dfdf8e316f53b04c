import type { Deps } from "../deps.js";
import { NotFoundError } from "../errors.js";
import { isTaskId } from "../task/task-id.js";
import type { Task } from "../task/task.js";
import type { TaskView } from "../task/task-view.js";
import type { Tenant } from "../tenant.js";
import { viewOf } from "./finish-task.js";

/** A tenant's own task; another tenant's answers exactly like a missing one. */
export async function ownTask(deps: Deps, tenant: Tenant, taskId: string): Promise<Task> {
  // Ids are ULIDs; anything else cannot exist, and must not reach the store (key length limits).
  const task = isTaskId(taskId) ? await deps.tasks.getTask(taskId) : undefined;
  if (!task || task.tenantId !== tenant.id) throw new NotFoundError(`task ${taskId} not found`);
  return task;
}

/** `origin` is where the api is reached, for the view's `content_url`. */
export async function getTaskView(deps: Deps, tenant: Tenant, taskId: string, origin?: string): Promise<TaskView> {
  return viewOf(deps, await ownTask(deps, tenant, taskId), origin);
}

/** A fresh presigned URL of the task's video; not_found until the video is there. */
export async function presignedVideoUrl(deps: Deps, tenant: Tenant, taskId: string): Promise<string> {
  const task = await ownTask(deps, tenant, taskId);
  if (task.phase !== "done" || !task.output) {
    throw new NotFoundError(`task ${taskId} has no video yet (it is ${task.phase})`);
  }
  return deps.media.presignGet(task.output.key, deps.settings.videoUrlTtlSeconds);
}
