import type { Deps } from "../deps.js";
import { ConflictError, GatewayError, InternalError, type UpstreamAmbiguousError } from "../errors.js";
import { pushCallbackUrl } from "../push/push-token.js";
import { moveTask, type Task, type TaskPatch, touchTask } from "../task/task.js";
import { failTask } from "./finish-task.js";
import { firstPollDelay } from "./learn-first-poll.js";
import { releaseUpstreamSlot } from "./pace-upstream.js";

/**
 * The upstream took a create whose answer we could not record: the save after it failed. The
 * attempt stays marked on the task, so the next claim treats it as ambiguous rather than creating
 * again at once.
 */
export class CreateNotRecordedError extends GatewayError {}

/**
 * Records the create about to be sent, as a conditional write: only the lease holder gets past it,
 * and should this worker stop before the answer is saved, the next claim knows a create was in flight.
 */
export async function recordSubmitAttempt(deps: Deps, task: Task): Promise<Task> {
  const now = deps.clock.now();
  const submitAttempts = (task.submitAttempts ?? 0) + 1;
  return deps.tasks.saveTask(touchTask(task, { submitAttempts, submitAttemptAt: now }, now));
}

/**
 * What a claim and `recordSubmitAttempt` would write, for a task born about to send its first create
 * (submitTask): written in the create's own transaction, it spares the two writes. The lease is the
 * next poll should this worker stop before the answer is saved; the mark makes that poll treat the
 * create as ambiguous.
 */
export function firstAttemptRecord(deps: Deps, now: number): TaskPatch {
  const leaseUntil = now + deps.settings.leaseMs;
  return { leaseUntil, nextPollAt: leaseUntil, stepClaims: 1, submitAttempts: 1, submitAttemptAt: now };
}

/**
 * Sends the create (the attempt is recorded already) and moves the task to `submitted`, its first
 * status poll set at the delay learned for its kind of generation.
 */
export async function submitUpstream(deps: Deps, task: Task): Promise<Task> {
  // The upstream always reads our validated copy, never the caller's URL.
  if (task.image.kind !== "stored") throw new InternalError(`task ${task.id} has no staged image`);
  const imageUrl = await deps.media.presignGet(task.image.key, deps.settings.inputUrlTtlSeconds);
  const callbackUrl = pushCallbackUrl(deps, task);
  // Read while the create is out (it never rejects): the answer's write sets the first poll.
  const firstPollIn = firstPollDelay(deps, task, deps.upstream.name);
  const { taskId, traceId } = await deps.upstream
    .createTask({
      model: task.model,
      prompt: task.prompt,
      imageUrl,
      duration: task.duration,
      resolution: task.resolution,
      promptOptimizer: task.promptOptimizer,
      ...(callbackUrl ? { callbackUrl } : {}),
    })
    .catch(async (error: unknown) => {
      // Refused or unanswered: the slot this create took goes back (an ambiguous one may be upstream).
      await releaseUpstreamSlot(deps);
      throw error;
    });
  const now = deps.clock.now();
  deps.logger.info("task submitted upstream", { taskId: task.id, upstreamTaskId: taskId });
  const { submitAttemptAt: _settled, ...sent } = task;
  const submitted = moveTask(
    sent,
    "submitted",
    {
      upstream: { provider: deps.upstream.name, taskId, ...(traceId ? { traceId } : {}) },
      nextPollAt: now + (await firstPollIn),
    },
    now,
  );
  try {
    return await deps.tasks.saveTask(submitted);
  } catch (error) {
    // Paid for and not recorded: say so loudly, with the upstream's id, for whoever reconciles.
    deps.logger.error("upstream task created but not recorded; the next try treats it as ambiguous", {
      taskId: task.id,
      upstreamTaskId: taskId,
      error,
    });
    if (error instanceof ConflictError) throw error;
    throw new CreateNotRecordedError(`upstream task ${taskId} was created but not recorded`, {
      cause: error,
    });
  }
}

/**
 * A create that may have been accepted upstream, or whose outcome was never recorded: counted on
 * the task and logged, then tried again only after a pause long enough for a late answer to have
 * landed (and for an operator to see it), and only `retries` times; after that the task fails
 * rather than pay for yet another generation.
 */
export async function settleAmbiguousCreate(
  deps: Deps,
  task: Task,
  reason: UpstreamAmbiguousError | string,
  since: number,
): Promise<Task> {
  const now = deps.clock.now();
  const ambiguousCreates = (task.ambiguousCreates ?? 0) + 1;
  const message = typeof reason === "string" ? reason : reason.message;
  const { pauseMs, retries } = deps.settings.ambiguousCreate;
  deps.logger.warn("ambiguous upstream create: the upstream may have accepted it", {
    taskId: task.id,
    ambiguousCreates,
    submitAttempts: task.submitAttempts,
    reason: message,
  });
  const counted = { ...task, ambiguousCreates };
  if (ambiguousCreates > retries) {
    return failTask(deps, counted, {
      code: "upstream_timeout",
      message: `the upstream gave no clear answer to ${ambiguousCreates} creates (${message}); not tried again, so as not to pay for another generation`,
    });
  }
  try {
    return await deps.tasks.saveTask(
      touchTask(
        counted,
        {
          submitAttemptAt: undefined,
          lastError: message,
          nextPollAt: Math.max(now, since + pauseMs),
          leaseUntil: undefined,
          stepClaims: undefined,
        },
        now,
      ),
    );
  } catch (error) {
    if (error instanceof ConflictError) return task;
    throw error;
  }
}
