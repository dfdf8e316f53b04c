import type { Deps } from "../deps.js";
import { isAtProvider } from "../task/phases.js";
import { type Task, touchTask } from "../task/task.js";
import {
  deferredUntil,
  guardedUntil,
  isPaced,
  nextChanceAt,
  paceRequest,
  slowdownAfter,
} from "../upstream-pace.js";

/** Phases in which a task holds one of the provider's in-flight slots. */
const holdsSlot = (task: Task) => isAtProvider(task.phase);

/**
 * Asks the provider's shared budget for one create. Admitted: undefined (the budget is taken, and
 * an in-flight slot under a cap). Refused: the task is put back, due when budget may be there
 * again, its attempts and step claims untouched by the wait, so pacing never counts as a failure;
 * its deadline still bounds how long it may wait.
 */
export async function waitForUpstreamTurn(deps: Deps, task: Task, rank = 0): Promise<Task | undefined> {
  const pace = deps.settings.upstreamPace;
  if (!isPaced(pace)) return undefined;
  const now = deps.clock.now();
  const request = paceRequest(pace, now);
  let chanceAt = guardedUntil(pace, now);
  if (chanceAt === undefined) {
    const answer = await deps.upstreamPace.tryTake(deps.upstream.name, request);
    if (answer.ok) return undefined;
    chanceAt = nextChanceAt(answer.state, request, pace);
  }
  const nextPollAt = deferredUntil(chanceAt, rank, pace);
  deps.logger.debug("no upstream budget now; the task waits its turn", {
    taskId: task.id,
    tenantId: task.tenantId,
    waitMs: nextPollAt - now,
  });
  return deps.tasks.saveTask(
    touchTask(task, { nextPollAt, leaseUntil: undefined, stepClaims: undefined }, now),
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
