import { retryDelay } from "../backoff.js";
import type { Deps } from "../deps.js";
import {
  ConflictError,
  ImageFetchError,
  InvalidImageError,
  UpstreamPermanentError,
  UpstreamRetryableError,
} from "../errors.js";
import { videoKey } from "../output-keys.js";
import { pushCallbackUrl } from "../push/push-token.js";
import { isTerminal } from "../task/phases.js";
import { moveTask, type Task, type TaskError, touchTask } from "../task/task.js";
import { completeTask } from "./complete-task.js";
import { announceEnd, failTask } from "./finish-task.js";
import { stageRemoteImage } from "./stage-image.js";

/**
 * One step of a task's life, as the poller takes it: claim a lease, then submit, poll or copy.
 * Returns the task as left, or undefined when another worker holds it or it is already finished.
 */
export async function advanceTask(deps: Deps, task: Task): Promise<Task | undefined> {
  const claimed = await claim(deps, task);
  if (!claimed) return undefined;
  if (isTerminal(claimed.phase)) return announceEnd(deps, claimed);
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
    if (current.phase === "queued") current = await withStagedImage(deps, current);
    return await takeStep(deps, current);
  } catch (error) {
    if (error instanceof ConflictError) return undefined;
    const failure = permanentFailure(deps, current, error);
    if (failure) return failTask(deps, current, failure);
    return retryLater(deps, current, error);
  }
}

async function takeStep(deps: Deps, task: Task): Promise<Task> {
  switch (task.phase) {
    case "queued":
      return submitUpstream(deps, task);
    case "submitted":
    case "generating":
      return pollUpstream(deps, task);
    case "copying":
      return copyVideo(deps, task);
    case "notifying":
      return completeTask(deps, task.id);
    default:
      return task;
  }
}

async function hasStoredVideo(deps: Deps, task: Task): Promise<boolean> {
  if (task.phase === "notifying") return true;
  return task.phase === "copying" && deps.media.exists(videoKey(task.id));
}

/** The task's failure if `error` means trying again cannot help, else undefined. */
function permanentFailure(deps: Deps, task: Task, error: unknown): TaskError | undefined {
  if (error instanceof UpstreamPermanentError) return { code: error.code, message: error.message };
  if (error instanceof InvalidImageError) return { code: "invalid_image", message: error.message };
  if (error instanceof ImageFetchError) {
    const lastTry = task.attempts + 1 >= deps.settings.imageFetchAttempts;
    if (!error.retryable || lastTry) return { code: "image_unreachable", message: error.message };
  }
  return undefined;
}

/** A task recorded while its image host was failing gets our copy of the image before it goes upstream. */
async function withStagedImage(deps: Deps, task: Task): Promise<Task> {
  if (task.image.kind !== "url") return task;
  const image = await stageRemoteImage(deps, task.id, task.image.url);
  return deps.tasks.saveTask(touchTask(task, { image }, deps.clock.now()));
}

/**
 * Takes the task for `leaseMs`; the lease doubles as the next poll time should this worker die.
 * Work not yet due is left alone: the due index is eventually consistent and may name a task whose
 * backoff (or Retry-After) has not run out.
 */
async function claim(deps: Deps, task: Task): Promise<Task | undefined> {
  const now = deps.clock.now();
  if (isTerminal(task.phase) && task.announced) return undefined;
  if ((task.leaseUntil ?? 0) > now || (task.nextPollAt ?? 0) > now) return undefined;
  const leaseUntil = now + deps.settings.leaseMs;
  try {
    return await deps.tasks.saveTask(touchTask(task, { leaseUntil, nextPollAt: leaseUntil }, now));
  } catch (error) {
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
}

async function submitUpstream(deps: Deps, task: Task): Promise<Task> {
  // The upstream always reads our validated copy, never the caller's URL.
  if (task.image.kind !== "stored") throw new Error(`task ${task.id} has no staged image`);
  const imageUrl = await deps.media.presignGet(task.image.key, deps.settings.inputUrlTtlSeconds);
  const callbackUrl = pushCallbackUrl(deps, task);
  const { taskId, traceId } = await deps.upstream.createTask({
    model: task.model,
    prompt: task.prompt,
    imageUrl,
    duration: task.duration,
    resolution: task.resolution,
    promptOptimizer: task.promptOptimizer,
    ...(callbackUrl ? { callbackUrl } : {}),
  });
  const now = deps.clock.now();
  deps.logger.info("task submitted upstream", { taskId: task.id, upstreamTaskId: taskId });
  return deps.tasks.saveTask(
    moveTask(
      task,
      "submitted",
      {
        upstream: { provider: deps.upstream.name, taskId, ...(traceId ? { traceId } : {}) },
        nextPollAt: now + deps.settings.pollIntervalMs,
      },
      now,
    ),
  );
}

async function pollUpstream(deps: Deps, task: Task): Promise<Task> {
  const upstreamTaskId = requireUpstreamId(task);
  const state = await deps.upstream.getTask(upstreamTaskId);
  const now = deps.clock.now();
  const nextPollAt = now + deps.settings.pollIntervalMs;
  switch (state.state) {
    case "running":
      return deps.tasks.saveTask(
        task.phase === "submitted"
          ? moveTask(task, "generating", { nextPollAt }, now)
          : touchTask(task, { nextPollAt, leaseUntil: undefined, attempts: 0 }, now),
      );
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
      return copyVideo(deps, copying);
    }
  }
}

/**
 * Streams the finished video into outputs/<id>.mp4; the bucket's ObjectCreated event then drives
 * notify. If the video is already there (the event was lost or the copy raced), completes directly.
 */
async function copyVideo(deps: Deps, task: Task): Promise<Task> {
  const key = videoKey(task.id);
  if (await deps.media.exists(key)) return completeTask(deps, task.id);

  let videoUrl = task.upstream?.videoUrl;
  if (!videoUrl || task.attempts > 0) {
    // A failed download may mean an expired URL: ask the upstream for a fresh one.
    const state = await deps.upstream.getTask(requireUpstreamId(task));
    if (state.state !== "succeeded") {
      throw new UpstreamRetryableError(`upstream reports ${state.state} for a finished task`);
    }
    videoUrl = state.videoUrl;
  }
  const started = deps.clock.now();
  const stream = await deps.upstream.openVideo(videoUrl);
  const { bytes } = await deps.media.uploadStream(key, stream, "video/mp4");
  const now = deps.clock.now();
  deps.logger.info("video copied", { taskId: task.id, key, bytes, ms: now - started });
  try {
    // Notify normally moves the task on within seconds; this is the fallback if its event is lost.
    return await deps.tasks.saveTask(
      touchTask(
        task,
        {
          output: { key },
          leaseUntil: undefined,
          attempts: 0,
          nextPollAt: now + deps.settings.leaseMs,
        },
        now,
      ),
    );
  } catch (error) {
    if (error instanceof ConflictError) return (await deps.tasks.getTask(task.id)) ?? task;
    throw error;
  }
}

async function retryLater(deps: Deps, task: Task, error: unknown): Promise<Task> {
  const now = deps.clock.now();
  const attempts = task.attempts + 1;
  const retryAfterMs = error instanceof UpstreamRetryableError ? error.retryAfterMs : undefined;
  const delay = retryDelay(attempts, deps.settings.backoff, retryAfterMs);
  const lastError = error instanceof Error ? error.message : String(error);
  deps.logger.warn("task step failed; retrying later", {
    taskId: task.id,
    phase: task.phase,
    attempts,
    delay,
    lastError,
  });
  try {
    return await deps.tasks.saveTask(
      touchTask(task, { attempts, lastError, nextPollAt: now + delay, leaseUntil: undefined }, now),
    );
  } catch (saveError) {
    if (saveError instanceof ConflictError) return task;
    throw saveError;
  }
}

function requireUpstream(task: Task): NonNullable<Task["upstream"]> {
  if (!task.upstream)
    throw new UpstreamPermanentError("internal_error", `task ${task.id} has no upstream task`);
  return task.upstream;
}

function requireUpstreamId(task: Task): string {
  return requireUpstream(task).taskId;
}
