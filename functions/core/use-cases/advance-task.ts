import { retryDelay } from "../backoff.js";
import { type Deps, forTask } from "../deps.js";
import {
  ConflictError,
  ImageFetchError,
  InternalError,
  InvalidImageError,
  StoreBusyError,
  UpstreamAmbiguousError,
  UpstreamPermanentError,
  UpstreamRateLimitedError,
  UpstreamRetryableError,
} from "../errors.js";
import { takeLease, takeTurn } from "../lease.js";
import { countUpstreamError } from "../metrics.js";
import { videoKey } from "../output-keys.js";
import { recordableMessage } from "../redact.js";
import { isAtProvider, isTerminal } from "../task/phases.js";
import { moveTask, type Task, type TaskError, touchTask } from "../task/task.js";
import { copyVideo } from "./copy-video.js";
import { announceEnd, failTask } from "./finish-task.js";
import { learnFromFirstPoll } from "./learn-first-poll.js";
import {
  putBackLateCreate,
  releaseSlotOf,
  releaseUpstreamSlot,
  slowUpstreamDown,
  takeUpstreamTurn,
} from "./pace-upstream.js";
import { stageRemoteImage } from "./stage-image.js";
import {
  CreateNotRecordedError,
  recordSubmitAttempt,
  settleAmbiguousCreate,
  submitUpstream,
} from "./submit-upstream.js";

/** How a step is taken: `rank` (see fairOrder), and `pushed` when a provider's push says it is done. */
export type StepOptions = { rank?: number; pushed?: boolean };

/**
 * One step of a task's life, as the poller takes it: claim a lease, then submit or copy; or take a
 * poll's turn (takePollTurn) and poll. Returns the task as left, or undefined when another worker
 * holds it, it is not due, or it is already finished. `rank` is the task's place among its tenant's
 * waiting tasks in this sweep (see fairOrder): a create that finds no upstream budget comes back
 * that many turns later. `pushed` polls a waiting task before its next poll is due.
 */
export async function advanceTask(
  anyDeps: Deps,
  task: Task,
  options: StepOptions = {},
): Promise<Task | undefined> {
  const deps = forTask(anyDeps, task.id);
  const rank = options.rank ?? 0;
  const claimed = isAtProvider(task.phase)
    ? await takePollTurn(deps, task, options.pushed ?? false)
    : await claim(deps, task);
  if (!claimed) return undefined;
  if (isTerminal(claimed.phase)) return announceEnd(deps, claimed);
  if ((claimed.stepClaims ?? 0) > deps.settings.maxStepAttempts) return failPoisonTask(deps, claimed);
  // Past the deadline a task fails, unless its video is already in the bucket: that one is finished.
  if (deps.clock.now() > claimed.deadlineAt && !(await hasStoredVideo(deps, claimed))) {
    return failTask(deps, claimed, {
      code: "upstream_timeout",
      message: "the task did not finish before its deadline",
    });
  }
  // Each write bumps the version: failures below must be recorded on the latest one.
  let current = claimed;
  try {
    if (current.phase === "queued") {
      current = await withStagedImage(deps, current);
      // A create was sent and its outcome never recorded: the upstream may have it.
      if (current.submitAttemptAt !== undefined) {
        const reason =
          "an earlier create's outcome was never recorded (its worker stopped, or the save failed)";
        return await settleAmbiguousCreate(deps, current, reason, current.submitAttemptAt);
      }
      const turn = await takeUpstreamTurn(deps, current, rank);
      if (turn.waiting) return turn.waiting;
      current = await recordSubmitAttempt(deps, current).catch(async (error: unknown) => {
        await releaseUpstreamSlot(deps);
        throw error;
      });
      const late = await putBackLateCreate(deps, current, turn.sendBy, rank);
      if (late) return late;
    }
    return await takeStep(deps, current, options.pushed ?? false);
  } catch (error) {
    return settleFailedStep(deps, current, error);
  }
}

/**
 * The first create of a task born claimed, its attempt recorded and its budget taken in the create
 * (submitTask, `firstAttemptRecord`): sent now unless it missed its window's send-by time, its
 * failures settled as any step's.
 */
export async function sendFirstCreate(
  anyDeps: Deps,
  task: Task,
  sendBy: number | undefined,
): Promise<Task | undefined> {
  const deps = forTask(anyDeps, task.id);
  try {
    return (await putBackLateCreate(deps, task, sendBy)) ?? (await submitUpstream(deps, task));
  } catch (error) {
    return settleFailedStep(deps, task, error);
  }
}

/** A step that threw: settled as ambiguous, failed for good, or retried later, on `current`, the latest version. */
async function settleFailedStep(deps: Deps, current: Task, error: unknown): Promise<Task | undefined> {
  if (error instanceof ConflictError) return undefined;
  countUpstreamError(deps, error);
  if (error instanceof UpstreamAmbiguousError) {
    return settleAmbiguousCreate(deps, current, error, deps.clock.now());
  }
  // The create's mark stays on the task: the next claim finds it and waits it out.
  if (error instanceof CreateNotRecordedError) return undefined;
  if (error instanceof UpstreamRateLimitedError) await slowUpstreamDown(deps, error.retryAfterMs);
  const failure = permanentFailure(deps, current, error);
  if (failure) return failTask(deps, current, failure);
  return retryLater(deps, current, error);
}

async function takeStep(deps: Deps, task: Task, pushed: boolean): Promise<Task> {
  switch (task.phase) {
    case "queued":
      return submitUpstream(deps, task);
    case "submitted":
    case "generating":
      return pollUpstream(deps, task, pushed);
    case "copying":
      return copyVideo(deps, task);
    default:
      return task;
  }
}

async function hasStoredVideo(deps: Deps, task: Task): Promise<boolean> {
  return task.phase === "copying" && deps.media.exists(videoKey(task.id));
}

/** The task's failure if `error` means trying again cannot help, else undefined. */
function permanentFailure(deps: Deps, task: Task, error: unknown): TaskError | undefined {
  if (error instanceof UpstreamPermanentError) return { code: error.code, message: error.message };
  if (error instanceof InternalError) return { code: "internal_error", message: error.message };
  if (error instanceof InvalidImageError) return { code: "invalid_image", message: error.message };
  if (error instanceof ImageFetchError) {
    const lastTry = task.attempts + 1 >= deps.settings.imageFetchAttempts;
    if (!error.retryable || lastTry) return { code: "image_unreachable", message: error.message };
  }
  return undefined;
}

/** Errors a retry policy covers: their retry is an outcome, and clears the step's claim count. */
function isExpectedTransient(error: unknown): boolean {
  return (
    error instanceof UpstreamRetryableError ||
    error instanceof ImageFetchError ||
    error instanceof StoreBusyError
  );
}

/**
 * A step that keeps ending with no outcome (its worker dies, or it throws what nothing expects)
 * would be re-leased every LEASE_MS for ever: it fails with a code of its own, loudly.
 */
async function failPoisonTask(deps: Deps, task: Task): Promise<Task> {
  deps.logger.error("poison task: its step kept failing; failing it for good", {
    taskId: task.id,
    phase: task.phase,
    stepClaims: task.stepClaims,
    lastError: task.lastError,
  });
  return failTask(deps, task, {
    code: "step_failed_repeatedly",
    message: `the ${task.phase} step failed ${deps.settings.maxStepAttempts} times in a row; last error: ${task.lastError ?? "none recorded (the worker stopped)"}`,
  });
}

/** A task recorded while its image host was failing gets our copy of the image before it goes upstream. */
async function withStagedImage(deps: Deps, task: Task): Promise<Task> {
  if (task.image.kind !== "url") return task;
  const image = await stageRemoteImage(deps, task.id, task.image.url);
  return deps.tasks.saveTask(touchTask(task, { image }, deps.clock.now()));
}

/**
 * A poll's turn: one conditional write moves the next poll on by the interval, before the provider
 * is asked. A status poll is safe to repeat, so it takes no lease: a worker that stops mid-poll
 * leaves the task to its next turn, and an answer that changes nothing is not written at all.
 */
async function takePollTurn(deps: Deps, task: Task, pushed: boolean): Promise<Task | undefined> {
  const now = deps.clock.now();
  const nextPollAt = now + deps.settings.pollIntervalMs;
  return takeTurn(task, pushed ? undefined : task.nextPollAt, now, () =>
    deps.tasks.saveTask(touchTask(task, { nextPollAt }, now)),
  );
}

/**
 * Takes the task for `leaseMs`; the lease doubles as the next poll time should this worker die.
 * Work not yet due is left alone: the due index is eventually consistent and may name a task whose
 * backoff (or Retry-After) has not run out.
 */
async function claim(deps: Deps, task: Task): Promise<Task | undefined> {
  if (isTerminal(task.phase) && task.announced) return undefined;
  const now = deps.clock.now();
  const stepClaims = isTerminal(task.phase) ? undefined : (task.stepClaims ?? 0) + 1;
  return takeLease(task, task.nextPollAt, { now, leaseMs: deps.settings.leaseMs }, (leaseUntil) =>
    deps.tasks.saveTask(touchTask(task, { leaseUntil, nextPollAt: leaseUntil, stepClaims }, now)),
  );
}

/**
 * Polls the provider in the turn `task` took (its next poll is set already); writes only what
 * changed. The first scheduled poll of a generation (still `submitted`; a push's comes early) also
 * teaches when to poll its kind first.
 */
async function pollUpstream(deps: Deps, task: Task, pushed: boolean): Promise<Task> {
  const upstreamTaskId = requireUpstreamId(task);
  const state = await deps.upstream.getTask(upstreamTaskId);
  const now = deps.clock.now();
  if (task.phase === "submitted" && !pushed) await learnFromFirstPoll(deps, task, state.state !== "running");
  switch (state.state) {
    case "running": {
      if (task.phase === "submitted") return deps.tasks.saveTask(moveTask(task, "generating", {}, now));
      const settled = task.attempts === 0 && task.stepClaims === undefined && task.leaseUntil === undefined;
      if (settled) return task;
      // A poll that answers after failed ones clears their count, so the next failure backs off from the start.
      return deps.tasks.saveTask(
        touchTask(task, { leaseUntil: undefined, attempts: 0, stepClaims: undefined }, now),
      );
    }
    case "failed":
      return failTask(deps, task, { code: state.code, message: state.message });
    case "succeeded": {
      const copying = await deps.tasks.saveTask(
        moveTask(
          task,
          "copying",
          {
            upstream: { ...requireUpstream(task), videoUrl: state.videoUrl },
            leaseUntil: now + deps.settings.leaseMs,
            nextPollAt: now + deps.settings.leaseMs,
          },
          now,
        ),
      );
      await releaseSlotOf(deps, task, copying);
      return copyVideo(deps, copying);
    }
  }
}

async function retryLater(deps: Deps, task: Task, error: unknown): Promise<Task> {
  const now = deps.clock.now();
  const attempts = task.attempts + 1;
  const retryAfterMs = error instanceof UpstreamRetryableError ? error.retryAfterMs : undefined;
  const delay = retryDelay(attempts, deps.settings.backoff, retryAfterMs);
  const lastError = recordableMessage(error);
  const expected = isExpectedTransient(error);
  // What nothing expects is logged with its stack, and keeps counting towards the step's cap.
  const details = { taskId: task.id, phase: task.phase, attempts, delay, lastError };
  if (expected) deps.logger.warn("task step failed; retrying later", details);
  else
    deps.logger.error("task step failed unexpectedly; retrying later", {
      ...details,
      error,
      stepClaims: task.stepClaims,
    });
  const stepClaims = expected ? undefined : task.stepClaims;
  try {
    return await deps.tasks.saveTask(
      touchTask(
        task,
        // A create refused in so many words created nothing: its mark goes.
        {
          attempts,
          lastError,
          nextPollAt: now + delay,
          leaseUntil: undefined,
          stepClaims,
          submitAttemptAt: undefined,
        },
        now,
      ),
    );
  } catch (saveError) {
    if (saveError instanceof ConflictError) return task;
    throw saveError;
  }
}

function requireUpstream(task: Task): NonNullable<Task["upstream"]> {
  if (!task.upstream) throw new InternalError(`task ${task.id} has no upstream task`);
  return task.upstream;
}

function requireUpstreamId(task: Task): string {
  return requireUpstream(task).taskId;
}
