import type { Deps } from "../deps.js";
import { NotFoundError } from "../errors.js";
import { isTaskId } from "../task/task-id.js";
import type { TaskView } from "../task/task-view.js";
import type { Tenant } from "../tenant.js";
import { viewOf } from "./finish-task.js";

/** A tenant's own task; another tenant's answers exactly like a missing one. */
export async function getTaskView(deps: Deps, tenant: Tenant, taskId: string): Promise<TaskView> {
  // Ids are ULIDs; anything else cannot exist, and must not reach the store (key length limits).
  const task = isTaskId(taskId) ? await deps.tasks.getTask(taskId) : undefined;
  if (!task || task.tenantId !== tenant.id) throw new NotFoundError(`task ${taskId} not found`);
  return viewOf(deps, task);
}
