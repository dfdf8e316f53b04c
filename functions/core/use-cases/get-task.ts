import type { Deps } from "../deps.js";
import { NotFoundError } from "../errors.js";
import type { TaskView } from "../task/task-view.js";
import type { Tenant } from "../tenant.js";
import { viewOf } from "./finish-task.js";

/** A tenant's own task; another tenant's answers exactly like a missing one. */
export async function getTaskView(deps: Deps, tenant: Tenant, taskId: string): Promise<TaskView> {
  const task = await deps.tasks.getTask(taskId);
  if (!task || task.tenantId !== tenant.id) throw new NotFoundError(`task ${taskId} not found`);
  return viewOf(deps, task);
}
