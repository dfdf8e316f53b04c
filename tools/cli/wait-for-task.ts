import type { ApiClient, TaskStatus } from "./api-client.js";

export const isFinished = (task: TaskStatus) => task.status !== "IN_PROGRESS";

/** Polls the task's status until it is no longer IN_PROGRESS, telling `onUpdate` each answer. */
export async function waitForTask(
  api: ApiClient,
  taskId: string,
  options: { intervalMs: number; onUpdate?: (task: TaskStatus) => void },
): Promise<TaskStatus> {
  while (true) {
    const task = await api.getTask(taskId);
    options.onUpdate?.(task);
    if (isFinished(task)) return task;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
