import type { Deps } from "./deps.js";
import {
  UpstreamAmbiguousError,
  UpstreamPermanentError,
  UpstreamRateLimitedError,
  UpstreamRetryableError,
} from "./errors.js";

/**
 * What the gateway counts, as CloudWatch metric names (docs/operations.md says which question each
 * answers). Counts have unit Count, `…Ms` metrics unit Milliseconds.
 */
export const metricNames = {
  /** A task was recorded and charged; dimension `source` (api, inbox). */
  tasksAccepted: "TasksAccepted",
  tasksCompleted: "TasksCompleted",
  /** A task failed for good; dimension `code` (the failure code clients see). */
  tasksFailed: "TasksFailed",
  tasksCanceled: "TasksCanceled",
  /** An upstream call failed; dimension `class` (retryable, ambiguous, permanent, rate_limited). */
  upstreamErrors: "UpstreamErrors",
  /** A webhook attempt failed; dimension `outcome` (retrying, exhausted). */
  webhookFailures: "WebhookFailures",
  /** From the task's completedAt to its first delivered webhook. */
  doneToWebhookMs: "DoneToWebhookMs",
} as const;

export type MetricName = (typeof metricNames)[keyof typeof metricNames];

export const upstreamErrorClasses = ["retryable", "ambiguous", "permanent", "rate_limited"] as const;
export type UpstreamErrorClass = (typeof upstreamErrorClasses)[number];

/** The class of an upstream error, or undefined for an error that is not the upstream's. */
export function upstreamErrorClass(error: unknown): UpstreamErrorClass | undefined {
  if (error instanceof UpstreamAmbiguousError) return "ambiguous";
  if (error instanceof UpstreamRateLimitedError) return "rate_limited";
  if (error instanceof UpstreamRetryableError) return "retryable";
  if (error instanceof UpstreamPermanentError) return "permanent";
  return undefined;
}

/** Counts `error` under UpstreamErrors when it is the upstream's. */
export function countUpstreamError(deps: Pick<Deps, "metrics">, error: unknown): void {
  const errorClass = upstreamErrorClass(error);
  if (errorClass) deps.metrics.count(metricNames.upstreamErrors, { class: errorClass });
}
