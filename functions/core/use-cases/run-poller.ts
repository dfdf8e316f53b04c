import pLimit from "p-limit";
import type { Deps } from "../deps.js";
import { advanceTask } from "./advance-task.js";
import { deliverWebhook } from "./deliver-webhook.js";

export type SweepResult = { found: number; tasks: number; deliveries: number; errors: number };

export type SweepOptions = {
  limit: number;
  concurrency: number;
  /** No new item is started from then on; the rest stays due for the next run. */
  stopAt?: number;
};

/** One pass over the due index: every task and webhook whose time has come, with bounded concurrency. */
export async function sweepDueWork(deps: Deps, options: SweepOptions): Promise<SweepResult> {
  const due = await deps.tasks.dueWork(deps.clock.now(), options.limit);
  const limit = pLimit(options.concurrency);
  const result: SweepResult = { found: due.length, tasks: 0, deliveries: 0, errors: 0 };
  const stopAt = options.stopAt ?? Number.POSITIVE_INFINITY;
  await Promise.all(
    due.map((item) =>
      limit(async () => {
        if (deps.clock.now() >= stopAt) return;
        try {
          if (item.kind === "task") {
            const task = await deps.tasks.getTask(item.taskId);
            if (task && (await advanceTask(deps, task))) result.tasks++;
          } else {
            const delivery = await deps.deliveries.getDelivery(item.taskId, item.eventType);
            if (delivery && (await deliverWebhook(deps, delivery))) result.deliveries++;
          }
        } catch (error) {
          result.errors++;
          deps.logger.error("due work failed", { item, error });
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
