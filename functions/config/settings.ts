import { parseMinimaxModelMap } from "../adapters/upstream/minimax-models.js";
import { webhookRetryScheduleMs } from "../core/backoff.js";
import type { CoreSettings } from "../core/deps.js";
import { imageRules } from "../core/image/image-rules.js";
import { type IngestOptions, ingestOptionsFrom } from "../core/inbox/ingest-options.js";
import { resolveSettings } from "../core/inbox/resolve-settings.js";
import { defaultPriceTable, type PriceTable, priceTableSchema } from "../core/pricing.js";
import * as z from "../core/validation.js";

const flagWords = ["true", "false", "1", "0", "yes", "no", ""] as const;
const booleanFlag = z.pipe(
  z.enum(flagWords),
  z.transform((value: (typeof flagWords)[number]) => value === "true" || value === "1" || value === "yes"),
);

const positiveInt = z.coerce.number().check(z.int(), z.positive());
const wholeNumber = z.coerce.number().check(z.int(), z.minimum(0));

/** A transform's refusal: the issue on the variable being read, and no value. */
function refuse(context: { issues: z.core.$ZodRawIssue[]; value: unknown }, message: string): never {
  context.issues.push({ code: "custom", message, input: context.value });
  return z.NEVER;
}

/**
 * Every setting of every function, read from one flat record: `process.env` plus what SST links
 * (see linked-resources.ts). The local stack passes the very same names, so AWS and one machine
 * differ only in values. Fails fast, naming each bad variable.
 */
const environmentSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  BUCKET: z.string().check(z.minLength(1)),
  AWS_REGION: z._default(z.string(), "us-east-1"),
  /** Local servers only: the DynamoDB Local and S3 endpoints. Unset on AWS. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  S3_ENDPOINT: z.optional(z.url()),

  UPSTREAM: z._default(z.enum(["apiinone", "simulator", "minimax"]), "apiinone"),
  UPSTREAM_BASE_URL: z.url({ error: "UPSTREAM_BASE_URL must be the upstream API's base URL" }),
  UPSTREAM_API_KEY: z._default(z.string(), ""),
  UPSTREAM_TIMEOUT_MS: z._default(positiveInt, 15_000),
  /**
   * A create's wait for its answer. Longer than UPSTREAM_TIMEOUT_MS: a create given up on after the
   * upstream took it is paid for again by its retry. Keep it under LEASE_MS: a lease that runs out
   * while its create still waits lets a second worker see an unsettled create (and wait it out).
   */
  UPSTREAM_CREATE_TIMEOUT_MS: z._default(positiveInt, 60_000),
  /** After an ambiguous create (sent, then no clear answer), the pause before it is tried again. */
  UPSTREAM_AMBIGUOUS_PAUSE_MS: z._default(positiveInt, 5 * 60_000),
  /** Ambiguous creates retried before the task fails (each may be a paid generation). */
  UPSTREAM_AMBIGUOUS_RETRIES: z._default(wholeNumber, 2),
  /**
   * The provider's pace, shared by every api and poller instance: creates per window (unset: the
   * provider's default, see upstreamRpmDefaults; 0 = no limit) and tasks held upstream at once
   * (0 = no cap). A rate-limit answer halves the rate for UPSTREAM_SLOWDOWN_MS.
   */
  UPSTREAM_RPM: z.optional(wholeNumber),
  UPSTREAM_RPM_WINDOW_MS: z._default(positiveInt, 60_000),
  UPSTREAM_MAX_IN_FLIGHT: z._default(wholeNumber, 0),
  UPSTREAM_SLOWDOWN_MS: z._default(positiveInt, 3 * 60_000),
  /** UPSTREAM=minimax: MiniMax's own API (the key belongs to one host: .io global, minimaxi.com China). */
  MINIMAX_API_KEY: z._default(z.string(), ""),
  MINIMAX_BASE_URL: z._default(
    z.url({ error: "MINIMAX_BASE_URL must be MiniMax's API base URL" }),
    "https://api.minimax.io",
  ),
  MINIMAX_MODEL_MAP: z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined, context) => {
      const map = parseMinimaxModelMap(value);
      return typeof map === "string" ? refuse(context, `MINIMAX_MODEL_MAP ${map}`) : map;
    }),
  ),
  /**
   * The api's public origin (https://…). Providers that push (MiniMax) are given
   * `${PUBLIC_BASE_URL}/api/v1/callbacks/minimax/<token>`; unset, push is off and polling alone finishes tasks.
   */
  PUBLIC_BASE_URL: z.optional(z.url({ error: "PUBLIC_BASE_URL must be the api's public URL" })),

  ALLOW_PRIVATE_URLS: z._default(booleanFlag, false),
  /** Callers' image URLs: the wait for the answer's headers, and the whole download (20 MB at most). */
  IMAGE_FETCH_TIMEOUT_MS: z._default(positiveInt, 10_000),
  IMAGE_DOWNLOAD_TIMEOUT_MS: z._default(positiveInt, 30_000),
  /**
   * The poller's tries at an image URL that keeps failing in a way that may pass, before the task
   * fails with image_unreachable (the try while the create request waits comes on top).
   */
  IMAGE_FETCH_ATTEMPTS: z._default(positiveInt, 5),
  UPSTREAM_POLL_INTERVAL_MS: z._default(positiveInt, 5_000),
  /**
   * A generation's first status poll waits a delay learned per kind of generation (see
   * core/first-poll.ts), at most this long; at or under UPSTREAM_POLL_INTERVAL_MS nothing is learned.
   */
  UPSTREAM_FIRST_POLL_MAX_MS: z._default(wholeNumber, 5 * 60_000),
  /** The share of generations the learned delay lets end before their first poll. */
  UPSTREAM_FIRST_POLL_DONE_SHARE: z._default(
    z.coerce.number().check(z.gt(0, "between 0 and 1"), z.lt(1, "between 0 and 1")),
    0.1,
  ),
  POLL_INTERVAL_MS: z._default(positiveInt, 2_000),
  /** How long one poller invocation keeps sweeping; its Lambda timeout must exceed this plus the safety. */
  POLLER_RUN_MS: z._default(positiveInt, 50_000),
  POLLER_SAFETY_MS: z._default(positiveInt, 30_000),
  POLL_BATCH_LIMIT: z._default(positiveInt, 100),
  POLL_CONCURRENCY: z._default(positiveInt, 8),
  LEASE_MS: z._default(positiveInt, 5 * 60_000),
  /**
   * Claims of one step that may end with no outcome (the worker died, or the step threw what no
   * retry policy covers) before the task fails with step_failed_repeatedly.
   */
  MAX_STEP_ATTEMPTS: z._default(positiveInt, 8),
  /** A video copy's part size: each part is recorded on the task, so a copy resumes from the last one. */
  COPY_PART_BYTES: z._default(
    positiveInt.check(z.minimum(5 * 1024 * 1024, "COPY_PART_BYTES: S3 parts are 5 MiB at least")),
    8 * 1024 * 1024,
  ),
  TASK_DEADLINE_MS: z._default(positiveInt, 2 * 3_600_000),
  BACKOFF_BASE_MS: z._default(positiveInt, 2_000),
  BACKOFF_CAP_MS: z._default(positiveInt, 5 * 60_000),
  DUE_SHARDS: z._default(positiveInt.check(z.maximum(64)), 4),
  VIDEO_URL_TTL_SECONDS: z._default(positiveInt.check(z.maximum(7 * 24 * 3600)), 3600),
  INPUT_URL_TTL_SECONDS: z._default(positiveInt.check(z.maximum(7 * 24 * 3600)), 6 * 3600),
  WEBHOOK_TIMEOUT_MS: z._default(positiveInt, 10_000),
  /** Seconds before each webhook retry, comma-separated ("5,300,1800"); unset: the contract's schedule. */
  WEBHOOK_RETRY_SCHEDULE: z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined, context): readonly number[] => {
      if (value === undefined || value.trim() === "") return webhookRetryScheduleMs;
      const seconds = value.split(",").map((part) => Number(part.trim()));
      if (seconds.some((entry) => !Number.isFinite(entry) || entry < 0)) {
        return refuse(context, "WEBHOOK_RETRY_SCHEDULE must be seconds separated by commas, e.g. 5,300,1800");
      }
      return seconds.map((entry) => Math.round(entry * 1000));
    }),
  ),
  MAX_BODY_BYTES: z._default(positiveInt, 28 * 1024 * 1024),
  IDEMPOTENCY_TTL_SECONDS: z._default(positiveInt, 24 * 3600),
  /** Requests per minute per tenant on /api/v1, unless the tenant has its own; 0 turns the limit off. */
  RATE_LIMIT_RPM: z._default(wholeNumber, 600),
  /** JSON with a price for every model and combination (see functions/core/pricing.ts). */
  PRICE_TABLE: z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined, context): PriceTable => {
      if (!value) return defaultPriceTable;
      let json: unknown;
      try {
        json = JSON.parse(value);
      } catch {
        return refuse(context, "must be JSON");
      }
      const parsed = priceTableSchema.safeParse(json);
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues) {
        const where = issue.path.map(String).join(".");
        context.issues.push({
          code: "custom",
          message: `${where ? `${where}: ` : ""}${issue.message}`,
          input: value,
        });
      }
      return z.NEVER;
    }),
  ),
  LOG_LEVEL: z._default(z.enum(["DEBUG", "INFO", "WARN", "ERROR", "SILENT"]), "INFO"),
  /** `pretty`: one readable line per log record and metric (the local stack); Lambda always logs JSON. */
  LOG_FORMAT: z._default(z.enum(["json", "pretty"]), "json"),
  /** The CloudWatch namespace of the EMF metrics. */
  METRICS_NAMESPACE: z._default(z.string().check(z.minLength(1)), "hailuo-gateway"),

  /** The drop folder's owner: tasks made from inbox/ objects are this tenant's. */
  INBOX_TENANT_ID: z._default(z.string(), ""),
  INBOX_DEFAULT_PROMPT: z._default(z.string(), "Slow cinematic camera move, gentle natural motion"),
  INBOX_DEFAULT_MODEL: z._default(z.string(), "hailuo/2-3-image-to-video-standard"),
  INBOX_DEFAULT_DURATION: z._default(z.string(), "6"),
  INBOX_DEFAULT_RESOLUTION: z._default(z.string(), "768P"),
  INBOX_MAX_BYTES: z._default(positiveInt, imageRules.maxBytes),
  /** Objects of one event batch handled at once. */
  INBOX_CONCURRENCY: z._default(positiveInt.check(z.maximum(256)), 16),
  /** How long an object (bucket, key, ETag) stays claimed; a re-upload of the same bytes after that makes a new task. */
  INBOX_IDEMPOTENCY_TTL_SECONDS: z._default(positiveInt, 30 * 24 * 3600),
});

export type Environment = z.output<typeof environmentSchema>;

/**
 * Creates per minute when UPSTREAM_RPM is unset. MiniMax documents 20 RPM for paid accounts on
 * Hailuo 2.3 (5 for free ones: set UPSTREAM_RPM=5). API in One publishes no figure and the
 * simulator has none unless SIM_RPM is set: unpaced, their 429s are retried per task with backoff.
 */
export const upstreamRpmDefaults: Record<Environment["UPSTREAM"], number> = {
  minimax: 20,
  apiinone: 0,
  simulator: 0,
};

export type Settings = {
  environment: Environment;
  core: CoreSettings;
  /** The drop folder's options (INBOX_*), for the ingest handler and the local stack alike. */
  ingest: IngestOptions;
};

export class SettingsError extends Error {
  override name = "SettingsError";
}

export function parseSettings(source: Record<string, string | undefined>): Settings {
  const parsed = environmentSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new SettingsError(`invalid configuration:\n${problems.join("\n")}`);
  }
  const environment = parsed.data;
  const ingest = ingestOptionsFrom(environment);
  const problems = crossFieldProblems(environment, ingest);
  if (problems.length > 0) {
    throw new SettingsError(
      `invalid configuration:\n${problems.map((problem) => `  ${problem}`).join("\n")}`,
    );
  }
  return {
    environment,
    core: {
      pollIntervalMs: environment.UPSTREAM_POLL_INTERVAL_MS,
      firstPoll: {
        intervalMs: environment.UPSTREAM_POLL_INTERVAL_MS,
        maxMs: environment.UPSTREAM_FIRST_POLL_MAX_MS,
        doneShare: environment.UPSTREAM_FIRST_POLL_DONE_SHARE,
      },
      leaseMs: environment.LEASE_MS,
      taskDeadlineMs: environment.TASK_DEADLINE_MS,
      backoff: { baseMs: environment.BACKOFF_BASE_MS, capMs: environment.BACKOFF_CAP_MS },
      videoUrlTtlSeconds: environment.VIDEO_URL_TTL_SECONDS,
      inputUrlTtlSeconds: environment.INPUT_URL_TTL_SECONDS,
      priceTable: environment.PRICE_TABLE,
      allowPrivateUrls: environment.ALLOW_PRIVATE_URLS,
      imageFetchAttempts: environment.IMAGE_FETCH_ATTEMPTS,
      rateLimitRpm: environment.RATE_LIMIT_RPM,
      maxStepAttempts: environment.MAX_STEP_ATTEMPTS,
      copyPartBytes: environment.COPY_PART_BYTES,
      ambiguousCreate: {
        pauseMs: environment.UPSTREAM_AMBIGUOUS_PAUSE_MS,
        retries: environment.UPSTREAM_AMBIGUOUS_RETRIES,
      },
      ...(environment.PUBLIC_BASE_URL ? { publicBaseUrl: environment.PUBLIC_BASE_URL } : {}),
      webhookRetryScheduleMs: environment.WEBHOOK_RETRY_SCHEDULE,
      upstreamPace: {
        rpm: environment.UPSTREAM_RPM ?? upstreamRpmDefaults[environment.UPSTREAM],
        windowMs: environment.UPSTREAM_RPM_WINDOW_MS,
        maxInFlight: environment.UPSTREAM_MAX_IN_FLIGHT,
        slowdownMs: environment.UPSTREAM_SLOWDOWN_MS,
        inFlightWaitMs: environment.UPSTREAM_POLL_INTERVAL_MS,
      },
    },
    ingest,
  };
}

/** Rules that span variables, or that reuse the domain's own validation. */
function crossFieldProblems(environment: Environment, ingest: IngestOptions): string[] {
  const problems: string[] = [];
  if (environment.UPSTREAM_CREATE_TIMEOUT_MS < environment.UPSTREAM_TIMEOUT_MS) {
    problems.push("UPSTREAM_CREATE_TIMEOUT_MS: must be at least UPSTREAM_TIMEOUT_MS");
  }
  if (environment.UPSTREAM === "apiinone" && environment.UPSTREAM_API_KEY === "") {
    problems.push(
      "UPSTREAM_API_KEY: required when UPSTREAM is apiinone (set the UpstreamApiKey secret on AWS)",
    );
  }
  if (environment.UPSTREAM === "minimax" && environment.MINIMAX_API_KEY === "") {
    problems.push("MINIMAX_API_KEY: required when UPSTREAM is minimax (set the MinimaxApiKey secret on AWS)");
  }
  // A bad default would reject every dropped image with a report blaming the image: refuse it here.
  const defaults = resolveSettings([{ kind: "defaults", values: ingest.defaults }], {
    allowPrivateUrls: environment.ALLOW_PRIVATE_URLS,
  });
  if (!defaults.ok) {
    const name = `INBOX_DEFAULT_${(defaults.problem.field ?? "*").toUpperCase()}`;
    problems.push(`${name}: ${defaults.problem.message}`);
  }
  return problems;
}
