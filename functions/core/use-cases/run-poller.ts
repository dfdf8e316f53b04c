import pLimit from "p-limit";
import type { Deps } from "../deps.js";
import type { Task } from "../task/task.js";
import { fairOrder } from "../upstream-pace.js";
import { advanceTask } from "./advance-task.js";
import { deliverWebhook } from "./deliver-webhook.js";

export type SweepResult = { found: number; tasks: number; deliveries: number; errors: number };

export type SweepOptions = {
  limit: number;
  concurrency: number;
  /** No new item is started from then on; the rest stays due for the next run. */
  stopAt?: number;
};

type Work =
  | { kind: "task"; task: Task; rank: number }
  | { kind: "delivery"; taskId: string; eventType: string };

/**
 * One pass over the due index: every task and webhook whose time has come, with bounded concurrency.
 * Tasks are read first, so that queued ones take the provider's budget round-robin across tenants
 * (fairOrder), after the polls and copies of tasks already upstream.
 */
export async function sweepDueWork(deps: Deps, options: SweepOptions): Promise<SweepResult> {
  const due = await deps.tasks.dueWork(deps.clock.now(), options.limit);
  const limit = pLimit(options.concurrency);
  const result: SweepResult = { found: due.length, tasks: 0, deliveries: 0, errors: 0 };
  const stopAt = options.stopAt ?? Number.POSITIVE_INFINITY;
  const failed = (item: unknown) => (error: unknown) => {
    result.errors++;
    deps.logger.error("due work failed", { item, error });
  };
  const tasks = await Promise.all(
    due.map((item) =>
      item.kind === "task"
        ? limit(() => deps.tasks.getTask(item.taskId)).catch((error: unknown) => failed(item)(error))
        : undefined,
    ),
  );
  const waiting: Task[] = [];
  const work: Work[] = [];
  due.forEach((item, index) => {
    const task = tasks[index];
    if (item.kind === "delivery") work.push(item);
    else if (task?.phase === "queued") waiting.push(task);
    else if (task) work.push({ kind: "task", task, rank: 0 });
  });
  for (const { item, rank } of fairOrder(waiting)) work.push({ kind: "task", task: item, rank });
  await Promise.all(
    work.map((item) =>
      limit(async () => {
        if (deps.clock.now() >= stopAt) return;
        try {
          if (item.kind === "task") {
            if (await advanceTask(deps, item.task, item.rank)) result.tasks++;
          } else {
            const delivery = await deps.deliveries.getDelivery(item.taskId, item.eventType);
            if (delivery && (await deliverWebhook(deps, delivery))) result.deliveries++;
          }
        } catch (error) {
          failed(item.kind === "task" ? { kind: "task", taskId: item.task.id } : item)(error);
        }
      }),
    ),
  );
  return result;
}

/**
 * Sweeps again and again until `stopAt`, so that inside one scheduled invocation the delay between
 * "done upstream" and "copied" is one interval, not the schedule's minute. Returns early when
 * nothing will come due before `stopAt`, so an idle deployment is not billed for waiting.
 */
export async function runPoller(
  deps: Deps,
  options: { stopAt: number; intervalMs: number; limit: number; concurrency: number },
): Promise<SweepResult> {
  const total: SweepResult = { found: 0, tasks: 0, deliveries: 0, errors: 0 };
  while (true) {
    const pass = await sweepDueWork(deps, options);
    total.found += pass.found;
    total.tasks += pass.tasks;
    total.deliveries += pass.deliveries;
    total.errors += pass.errors;
    const wait = pass.found >= options.limit ? 0 : options.intervalMs;
    if (deps.clock.now() + wait >= options.stopAt) return total;
    if (pass.found === 0 && (await deps.tasks.dueWork(options.stopAt, 1)).length === 0) return total;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
