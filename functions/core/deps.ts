import type { BackoffPolicy } from "./backoff.js";
import type { FirstPollSettings } from "./first-poll.js";
import type {
  Clock,
  DeliveryStore,
  FirstPollStore,
  ImageSource,
  Logger,
  MediaStore,
  Metrics,
  RateLimitStore,
  TaskStore,
  TenantStore,
  UpstreamPaceStore,
  UpstreamProvider,
  WebhookSender,
} from "./ports.js";
import type { PriceTable } from "./pricing.js";
import type { PaceSettings } from "./upstream-pace.js";

/** Tunables of the domain; the configuration module fills them from the environment. */
export type CoreSettings = {
  /** How long after a poll the upstream is asked again. */
  pollIntervalMs: number;
  /** When a generation's first status poll comes (learned; see first-poll.ts). */
  firstPoll: FirstPollSettings;
  /** How long one worker owns a task it claimed; also the retry delay if it dies. */
  leaseMs: number;
  /** An unfinished task fails with `upstream_timeout` this long after creation. */
  taskDeadlineMs: number;
  backoff: BackoffPolicy;
  /** Lifetime of presigned video URLs handed to clients. */
  videoUrlTtlSeconds: number;
  /** Lifetime of presigned input-image URLs handed to the upstream. */
  inputUrlTtlSeconds: number;
  priceTable: PriceTable;
  allowPrivateUrls: boolean;
  /** Tries at reading an image URL that keeps failing in a way that may pass, before `image_unreachable`. */
  imageFetchAttempts: number;
  /** Requests per minute per tenant unless the tenant says otherwise; 0 means no limit. */
  rateLimitRpm: number;
  /** Claims of one step that ended with no outcome, before the task fails with `step_failed_repeatedly`. */
  maxStepAttempts: number;
  /** Bytes per part of a video copy (5 MiB at least); each part is recorded, so a copy resumes from there. */
  copyPartBytes: number;
  /** An ambiguous create (it may have been accepted) waits `pauseMs`, and is retried `retries` times at most. */
  ambiguousCreate: { pauseMs: number; retries: number };
  /** The api's public origin; set, providers that push are given a per-task callback URL under it. */
  publicBaseUrl?: string;
  /** Delays before each webhook retry; a delivery is exhausted when they run out. */
  webhookRetryScheduleMs: readonly number[];
  /** The upstream's request budget (UPSTREAM_RPM, UPSTREAM_MAX_IN_FLIGHT). */
  upstreamPace: PaceSettings;
};

/** Everything a use case may touch, injected so that tests and the local stack pass real local parts. */
export type Deps = {
  tasks: TaskStore;
  tenants: TenantStore;
  deliveries: DeliveryStore;
  rateLimits: RateLimitStore;
  upstreamPace: UpstreamPaceStore;
  firstPolls: FirstPollStore;
  media: MediaStore;
  images: ImageSource;
  upstream: UpstreamProvider;
  webhooks: WebhookSender;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  newId: () => string;
  settings: CoreSettings;
};

/** The deps of work on one task: every log line written for it carries the task's id. */
export function forTask(deps: Deps, taskId: string): Deps {
  return { ...deps, logger: deps.logger.forTask(taskId) };
}
