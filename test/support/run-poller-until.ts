import type { Deps } from "../../functions/core/deps.js";
import type { Task } from "../../functions/core/task/task.js";
import { sweepDueWork } from "../../functions/core/use-cases/run-poller.js";

/** Runs the poller's sweep, as the local timer does, until `done(task)` or the time runs out. */
export async function pollUntil(
  deps: Deps,
  taskId: string,
  done: (task: Task) => boolean,
  timeoutMs = 30_000,
): Promise<Task> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    await sweepDueWork(deps, { limit: 50, concurrency: 4 });
    const task = await deps.tasks.getTask(taskId);
    if (task && done(task)) return task;
    if (Date.now() > deadline) {
      throw new Error(`task ${taskId} did not get there in ${timeoutMs} ms; it is ${JSON.stringify(task)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
