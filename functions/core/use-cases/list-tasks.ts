import type { Deps } from "../deps.js";
import type { PublicStatus } from "../task/phases.js";
import type { TaskView } from "../task/task-view.js";
import type { Tenant } from "../tenant.js";
import { viewOf } from "./finish-task.js";

export type TaskListRequest = { limit: number; cursor?: string; status?: PublicStatus };

export type TaskList = { tasks: TaskView[]; nextCursor: string | null };

/** A page of the tenant's own tasks, newest first, from the API and the drop folder alike. */
export async function listTaskViews(
  deps: Deps,
  tenant: Tenant,
  request: TaskListRequest,
  origin?: string,
): Promise<TaskList> {
  const page = await deps.tasks.listTasks(tenant.id, {
    limit: request.limit,
    ...(request.cursor === undefined ? {} : { cursor: request.cursor }),
    ...(request.status === undefined ? {} : { status: request.status }),
  });
  const tasks = await Promise.all(page.tasks.map((task) => viewOf(deps, task, origin)));
  return { tasks, nextCursor: page.nextCursor ?? null };
}
