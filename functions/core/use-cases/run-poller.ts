import pLimit from "p-limit";
import type { Deps } from "../deps.js";
import type { Task } from "../task/task.js";
import { fairOrder, fairOrderUntil } from "../upstream-pace.js";
import { withUpstreamSlots } from "../upstream-slots.js";
import { advanceTask } from "./advance-task.js";
import { deliverWebhook } from "./deliver-webhook.js";

export type SweepResult = { found: number; tasks: number; deliveries: number; errors: number };

export type SweepOptions = {
  limit: number;
  /** Calls to the provider at once (see withUpstreamSlots); steps run `stepsPerSlot` times as many. */
  concurrency: number;
  /** No new item is started from then on; the rest stays due for the next run. */
  stopAt?: number;
};

/**
 * Steps under way per provider slot: while one step waits on the provider, another does its reads
 * and writes, so the provider's slots do not sit idle between calls.
 */
export const stepsPerSlot = 2;

type Work =
  /** `rank` is set for a queued task, its place among its tenant's in fairOrder. */
  { kind: "task"; task: Task; rank?: number } | { kind: "delivery"; taskId: string; eventType: string };

/**
 * One pass over the due index: every task and webhook whose time has come, with bounded concurrency:
 * `concurrency` calls to the provider at once, `stepsPerSlot` times as many steps of tasks already
 * upstream (polls, copies) and webhooks, and beside them a lane of `concurrency` creates. Tasks are
 * read first, in one batched read, so that queued ones take the provider's budget round-robin across
 * tenants (fairOrder). The creates' lane is their own: a budget counted in windows must not wait
 * behind a sweep's copies, or a tenant's turn slips to a later window; and the order holds for the
 * window the sweep began in (fairOrderUntil).
 */
export async function sweepDueWork(anyDeps: Deps, options: SweepOptions): Promise<SweepResult> {
  const deps: Deps = { ...anyDeps, upstream: withUpstreamSlots(anyDeps.upstream, options.concurrency) };
  const sweptAt = deps.clock.now();
  const due = await deps.tasks.dueWork(sweptAt, options.limit);
  const orderedUntil = fairOrderUntil(deps.settings.upstreamPace, sweptAt);
  const steps = pLimit(options.concurrency * stepsPerSlot);
  // Queued tasks start C at a time, in fairOrder: more at once would let the first tenant's tasks
  // take a window's whole budget before the next tenant's turn comes round.
  const creates = pLimit(options.concurrency);
  const result: SweepResult = { found: due.length, tasks: 0, deliveries: 0, errors: 0 };
  const stopAt = options.stopAt ?? Number.POSITIVE_INFINITY;
  const failed = (item: unknown) => (error: unknown) => {
    result.errors++;
    deps.logger.error("due work failed", { item, error });
  };
  const taskIds = due.flatMap((item) => (item.kind === "task" ? [item.taskId] : []));
  // One batched consistent read for the whole sweep (100 tasks a request), not a GetItem per task.
  let tasks = new Map<string, Task>();
  try {
    if (taskIds.length > 0) tasks = await deps.tasks.getTasks(taskIds);
  } catch (error) {
    // The tasks stay due; the deliveries found beside them still go out in this sweep.
    failed({ kind: "tasks", count: taskIds.length })(error);
  }
  const waiting: Task[] = [];
  const work: Work[] = [];
  for (const item of due) {
    const task = item.kind === "task" ? tasks.get(item.taskId) : undefined;
    if (item.kind === "delivery") work.push(item);
    else if (task?.phase === "queued") waiting.push(task);
    else if (task) work.push({ kind: "task", task });
  }
  for (const { item, rank } of fairOrder(waiting)) work.push({ kind: "task", task: item, rank });
  await Promise.all(
    work.map((item) => {
      const isCreate = item.kind === "task" && item.rank !== undefined;
      return (isCreate ? creates : steps)(async () => {
        const now = deps.clock.now();
        if (now >= stopAt) return;
        // Left due: the next sweep orders it again, beside what came meanwhile.
        if (isCreate && now >= orderedUntil) return;
        try {
          if (item.kind === "task") {
            if (await advanceTask(deps, item.task, { rank: item.rank ?? 0 })) result.tasks++;
          } else {
            const delivery = await deps.deliveries.getDelivery(item.taskId, item.eventType);
            if (delivery && (await deliverWebhook(deps, delivery))) result.deliveries++;
          }
        } catch (error) {
          failed(item.kind === "task" ? { kind: "task", taskId: item.task.id } : item)(error);
        }
      });
    }),
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
