import type { CreateRequest } from "../create-request.js";
import { type Deps, forTask } from "../deps.js";
import {
  IdempotencyConflictError,
  ImageFetchError,
  InsufficientCreditsError,
  InternalError,
  InvalidImageError,
  InvalidRequestError,
} from "../errors.js";
import { checkImage, contentTypes } from "../image/image-rules.js";
import { metricNames } from "../metrics.js";
import { inputKey } from "../output-keys.js";
import type { Idempotency } from "../ports.js";
import { priceOf } from "../pricing.js";
import { newPushSecret } from "../push/push-token.js";
import type { ImageRef, Task, TaskSource } from "../task/task.js";
import type { Tenant } from "../tenant.js";
import { urlProblem } from "../url-policy.js";
import { sendFirstCreate } from "./advance-task.js";
import {
  askUpstreamBudget,
  dueAfterRefusal,
  releaseUpstreamSlot,
  type UpstreamBudget,
} from "./pace-upstream.js";
import { stageRemoteImage } from "./stage-image.js";
import { firstAttemptRecord } from "./submit-upstream.js";
import { stageUpload, uploadPrefix } from "./uploads.js";

export type SubmitTaskInput = {
  tenant: Tenant;
  request: CreateRequest;
  source: TaskSource;
  /** Set when the caller's image already lies in our bucket (drop folder): it is copied, not fetched. */
  storedImage?: { key: string; contentType: string; eTag?: string };
  idempotency?: Idempotency;
  /** The caller has just read the idempotency scope and found it free: no need to read it again. */
  scopeSeenFree?: boolean;
};

export type SubmitTaskResult = { task: Task; created: boolean };

/**
 * The one way a task comes to be, for the API and the drop folder alike: charge, record durably,
 * then try the upstream at once. An upstream that is slow or down leaves the task queued for the
 * poller; the caller's answer never waits on it beyond that one try.
 */
export async function submitTask(anyDeps: Deps, input: SubmitTaskInput): Promise<SubmitTaskResult> {
  const id = anyDeps.newId();
  const deps = forTask(anyDeps, id);
  const now = deps.clock.now();
  const credits = priceOf(input.request, deps.settings.priceTable);
  // Cheap refusals first, before any byte is copied; the transaction below still decides.
  const replay = input.scopeSeenFree ? undefined : await earlierAnswer(deps, input, now);
  if (replay) return replay;
  if (input.tenant.creditsRemaining !== undefined && input.tenant.creditsRemaining < credits) {
    throw new InsufficientCreditsError(credits, input.tenant.creditsRemaining);
  }

  const callbackUrl = callbackUrlOf(deps, input);
  const image = await storeImage(deps, id, input);
  // The first create's budget is asked before the record, so that the task is born with its turn
  // taken (claimed, its attempt marked) or due when budget may be there: no writes to get there.
  const budget = image.kind === "stored" ? await firstBudget(deps) : undefined;
  const task: Task = {
    id,
    tenantId: input.tenant.id,
    source: input.source,
    model: input.request.model,
    prompt: input.request.prompt,
    image,
    duration: input.request.duration,
    resolution: input.request.resolution,
    promptOptimizer: input.request.prompt_optimizer,
    metadata: input.request.metadata ?? {},
    credits,
    phase: "queued",
    attempts: 0,
    nextPollAt: now,
    createdAt: new Date(now).toISOString(),
    updatedAt: new Date(now).toISOString(),
    deadlineAt: now + deps.settings.taskDeadlineMs,
    pushSecret: newPushSecret(),
    version: 1,
    ...(budget?.admitted ? firstAttemptRecord(deps, deps.clock.now()) : {}),
    ...(budget && !budget.admitted ? { nextPollAt: dueAfterRefusal(deps, budget.chanceAt) } : {}),
  };
  if (callbackUrl) task.callbackUrl = callbackUrl;

  // Not recorded: our copy of the image and the slot the budget gave are nobody's.
  const giveBack = async () => {
    await discardImage(deps, image);
    if (budget?.admitted) await releaseUpstreamSlot(deps);
  };
  const outcome = await deps.tasks.createTask(task, input.tenant, input.idempotency).catch(async (error) => {
    await giveBack();
    throw error;
  });
  if (!outcome.created) {
    await giveBack();
    return { task: await existingTask(deps, outcome.existingTaskId), created: false };
  }
  deps.metrics.count(metricNames.tasksAccepted, { source: task.source.kind });
  deps.logger.info("task recorded", {
    taskId: id,
    tenantId: task.tenantId,
    source: task.source.kind,
    credits,
  });
  // Not staged (the image host failed us just now: asking it again at once would only double the
  // wait), or no budget now: the poller takes it when it is due.
  if (!budget?.admitted) return { task: outcome.task, created: true };

  try {
    const sent = await sendFirstCreate(deps, outcome.task, budget.sendBy);
    return { task: sent ?? outcome.task, created: true };
  } catch (error) {
    // Recorded is what we promised; the poller takes it from here.
    deps.logger.warn("first submission attempt failed; the poller will retry", {
      taskId: id,
      error,
    });
    return { task: outcome.task, created: true };
  }
}

/**
 * The budget for a new task's first create. A pace store that cannot answer must not cost the caller
 * the request (the task is not recorded yet): the task is born due now, and the poller asks again.
 */
async function firstBudget(deps: Deps): Promise<UpstreamBudget> {
  try {
    return await askUpstreamBudget(deps);
  } catch (error) {
    deps.logger.warn("could not ask the upstream's budget; the poller will", { error });
    return { admitted: false, chanceAt: deps.clock.now() };
  }
}

/**
 * The request's callback_url (checked by the request schema) or else the tenant's default, which is
 * checked here by the same policy: a tenant record is not a request, but its URL is called the same way.
 */
function callbackUrlOf(deps: Deps, input: SubmitTaskInput): string | undefined {
  if (input.request.callback_url) return input.request.callback_url;
  const fallback = input.tenant.defaultCallbackUrl;
  if (!fallback) return undefined;
  const problem = urlProblem(fallback, { allowPrivateUrls: deps.settings.allowPrivateUrls });
  if (problem) {
    throw new InvalidRequestError(
      `callback_url: the account's default callback URL ${problem}; pass a callback_url or correct the default`,
      "callback_url",
    );
  }
  return fallback;
}

/** The first answer for a scope claimed before with the same request; a conflict for another request. */
async function earlierAnswer(
  deps: Deps,
  input: SubmitTaskInput,
  now: number,
): Promise<SubmitTaskResult | undefined> {
  if (!input.idempotency) return undefined;
  const earlier = await deps.tasks.findIdempotent(input.idempotency.scope, now);
  if (!earlier) return undefined;
  if (earlier.requestHash !== input.idempotency.requestHash) throw new IdempotencyConflictError();
  return { task: await existingTask(deps, earlier.taskId), created: false };
}

async function existingTask(deps: Deps, taskId: string): Promise<Task> {
  const existing = await deps.tasks.getTask(taskId);
  if (!existing) throw new InternalError(`idempotency record points at missing task ${taskId}`);
  return existing;
}

async function storeImage(deps: Deps, taskId: string, input: SubmitTaskInput): Promise<ImageRef> {
  if (input.storedImage) {
    const key = inputKey(taskId);
    const { eTag } = input.storedImage;
    await deps.media.copyObject(input.storedImage.key, key, eTag ? { ifMatch: eTag } : {});
    return { kind: "stored", key, contentType: input.storedImage.contentType };
  }
  const image = input.request.image;
  if (image.startsWith(uploadPrefix)) return stageUpload(deps, input.tenant, taskId, image);
  if (!image.startsWith("data:")) return stageOrDefer(deps, taskId, image);

  const bytes = Buffer.from(image.slice(image.indexOf(",") + 1), "base64");
  const verdict = checkImage(bytes, bytes.length);
  if (!verdict.ok) throw new InvalidImageError(verdict.problem);
  const key = inputKey(taskId);
  const contentType = contentTypes[verdict.info.format];
  await deps.media.putObject(key, bytes, contentType);
  return { kind: "stored", key, contentType };
}

/**
 * Copies the image URL into our bucket now, so a bad image is a 400 while the caller waits. A host
 * that fails in a way that may pass does not fail the request: the task keeps the URL and the
 * poller stages it later.
 */
async function stageOrDefer(deps: Deps, taskId: string, url: string): Promise<ImageRef> {
  try {
    return await stageRemoteImage(deps, taskId, url);
  } catch (error) {
    if (!(error instanceof ImageFetchError)) throw error;
    if (!error.retryable) throw new InvalidRequestError(`image: ${error.message}`, "image");
    deps.logger.warn("image not staged yet; the poller will retry", { taskId, error });
    return { kind: "url", url };
  }
}

/** Our copy of an image whose task was not recorded: nothing will ever read it. */
async function discardImage(deps: Deps, image: ImageRef): Promise<void> {
  if (image.kind !== "stored") return;
  await deps.media.deleteObject(image.key).catch((error: unknown) => {
    deps.logger.warn("could not remove an unused input image", { key: image.key, error });
  });
}
