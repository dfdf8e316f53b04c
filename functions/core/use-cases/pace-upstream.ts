import type { Deps } from "../deps.js";
import { isAtProvider } from "../task/phases.js";
import { type Task, type TaskPatch, touchTask } from "../task/task.js";
import {
  deferredUntil,
  guardBandMs,
  guardedUntil,
  isPaced,
  nextChanceAt,
  paceRequest,
  sendByOf,
  slowdownAfter,
} from "../upstream-pace.js";

/** Phases in which a task holds one of the provider's in-flight slots. */
const holdsSlot = (task: Task) => isAtProvider(task.phase);

/** The shared budget's answer to one create: admitted, to be sent by `sendBy`, or its next chance. */
export type UpstreamBudget =
  | { admitted: true; sendBy: number | undefined }
  | { admitted: false; chanceAt: number };

/** A create's turn: the task put back to wait, or admitted, to be sent by `sendBy` (if the rate is limited). */
export type UpstreamTurn = { waiting: Task } | { waiting?: undefined; sendBy: number | undefined };

/**
 * Asks the provider's shared budget for one create. Admitted: the budget is taken (and an in-flight
 * slot under a cap), and the create must go before its window's guard band (`putBackLateCreate`).
 * Refused: nothing is taken, and the answer says when budget may be there again.
 */
export async function askUpstreamBudget(deps: Deps): Promise<UpstreamBudget> {
  const pace = deps.settings.upstreamPace;
  if (!isPaced(pace)) return { admitted: true, sendBy: undefined };
  const now = deps.clock.now();
  const request = paceRequest(pace, now);
  const guarded = guardedUntil(pace, now);
  if (guarded !== undefined) return { admitted: false, chanceAt: guarded };
  const answer = await deps.upstreamPace.tryTake(deps.upstream.name, request);
  if (answer.ok) return { admitted: true, sendBy: sendByOf(pace, now) };
  return { admitted: false, chanceAt: nextChanceAt(answer.state, request, pace) };
}

/**
 * A queued task's turn at the budget (`askUpstreamBudget`). Refused, the task is put back, due
 * when budget may be there again, its attempts and step claims untouched by the wait, so pacing
 * never counts as a failure; its deadline still bounds how long it may wait.
 */
export async function takeUpstreamTurn(deps: Deps, task: Task, rank = 0): Promise<UpstreamTurn> {
  const budget = await askUpstreamBudget(deps);
  if (budget.admitted) return { sendBy: budget.sendBy };
  const now = deps.clock.now();
  const waiting = await putBack(deps, task, budget.chanceAt, rank, {});
  deps.logger.debug("no upstream budget now; the task waits its turn", {
    taskId: task.id,
    tenantId: task.tenantId,
    waitMs: (waiting.nextPollAt ?? now) - now,
  });
  return { waiting };
}

/** When a task refused at `rank` comes due again (see deferredUntil). */
export function dueAfterRefusal(deps: Deps, chanceAt: number, rank = 0): number {
  return deferredUntil(chanceAt, rank, deps.settings.upstreamPace);
}

/**
 * A create admitted in one window but not ready by the window's guard band (recording its attempt
 * took that long) would reach the provider in its next window, beyond that window's count, and be
 * refused. It is not sent: the attempt's mark is taken back, its slot returned, and the task waits
 * for its turn in the next window; the budget it took in the old window goes unused. Undefined
 * when the create is still in time.
 */
export async function putBackLateCreate(
  deps: Deps,
  recorded: Task,
  sendBy: number | undefined,
  rank = 0,
): Promise<Task | undefined> {
  const now = deps.clock.now();
  if (sendBy === undefined || now < sendBy) return undefined;
  deps.logger.info("a create missed its window's send-by time; it waits for the next window", {
    taskId: recorded.id,
    lateMs: now - sendBy,
  });
  await releaseUpstreamSlot(deps);
  const nextWindow = sendBy + guardBandMs(deps.settings.upstreamPace.windowMs);
  return putBack(deps, recorded, Math.max(now, nextWindow), rank, withdrawnAttempt(recorded));
}

/** What `recordSubmitAttempt` wrote, taken back: the create was never sent. */
function withdrawnAttempt(task: Task): TaskPatch {
  const submitAttempts = (task.submitAttempts ?? 1) - 1;
  return { submitAttemptAt: undefined, submitAttempts: submitAttempts > 0 ? submitAttempts : undefined };
}

/** The task back in the queue, due `rank` shares after `chanceAt`, with no lease or step claims. */
function putBack(deps: Deps, task: Task, chanceAt: number, rank: number, patch: TaskPatch): Promise<Task> {
  const now = deps.clock.now();
  const nextPollAt = dueAfterRefusal(deps, chanceAt, rank);
  return deps.tasks.saveTask(
    touchTask(task, { ...patch, nextPollAt, leaseUntil: undefined, stepClaims: undefined }, now),
  );
}

/** Gives back the slot a create took, or a task held, when the provider no longer has it. */
export async function releaseUpstreamSlot(deps: Deps): Promise<void> {
  if (deps.settings.upstreamPace.maxInFlight === 0) return;
  await deps.upstreamPace.release(deps.upstream.name).catch((error: unknown) => {
    deps.logger.warn("could not give back an upstream slot", { error });
  });
}

/** The task left the provider (finished there, failed or canceled): its slot goes back. */
export async function releaseSlotOf(deps: Deps, before: Task, after: Task): Promise<void> {
  if (holdsSlot(before) && !holdsSlot(after)) await releaseUpstreamSlot(deps);
}

/** A rate-limit answer: the shared budget shrinks for a while, for every instance. */
export async function slowUpstreamDown(deps: Deps, retryAfterMs: number | undefined): Promise<void> {
  const pace = deps.settings.upstreamPace;
  if (!isPaced(pace)) return;
  const slowdown = slowdownAfter(pace, deps.clock.now(), retryAfterMs);
  deps.logger.warn("the upstream answered rate limited; slowing down", {
    provider: deps.upstream.name,
    ...slowdown,
  });
  await deps.upstreamPace.slowDown(deps.upstream.name, slowdown).catch((error: unknown) => {
    deps.logger.warn("could not record the upstream's slowdown", { error });
  });
}
