import { ulid } from "ulid";
import { createDynamoDeliveryStore } from "../adapters/dynamo/delivery-store.js";
import { createDynamoConnection } from "../adapters/dynamo/dynamo-client.js";
import { createDynamoFirstPollStore } from "../adapters/dynamo/first-poll-store.js";
import { createDynamoRateLimitStore } from "../adapters/dynamo/rate-limit-store.js";
import { createDynamoTaskStore } from "../adapters/dynamo/task-store.js";
import { createDynamoTenantStore } from "../adapters/dynamo/tenant-store.js";
import { createDynamoUpstreamPaceStore } from "../adapters/dynamo/upstream-pace-store.js";
import { createGuardedDownload, createGuardedFetch, type Download } from "../adapters/http/guarded-fetch.js";
import { createHttpImageSource } from "../adapters/images/http-image-source.js";
import { createLazyS3MediaStore } from "../adapters/s3/lazy-media-store.js";
import { createMinimaxProvider } from "../adapters/upstream/minimax-provider.js";
import { createSeedApiProvider } from "../adapters/upstream/seed-api-provider.js";
import { createStandardWebhookSender } from "../adapters/webhooks/standard-webhook-sender.js";
import type { Deps } from "../core/deps.js";
import type { Logger, LogWriter, Metrics, UpstreamProvider } from "../core/ports.js";
import { createLogger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { redactingLogger } from "./redact.js";
import type { Settings } from "./settings.js";

/** Local servers accept any credentials; on AWS the role's credentials come from the environment. */
const localCredentials = { accessKeyId: "local", secretAccessKey: "local" };

export type BuildDepsOptions = {
  serviceName: string;
  /** Powertools JSON logs unless given; a plain writer gets `taskId` merged into its lines by forTask. */
  logger?: LogWriter & Partial<Pick<Logger, "forTask">>;
  /**
   * Where the metrics go; unset, they are recorded and published nowhere (a script, a test). The
   * functions (config/runtime.ts) and the local stack pass metrics that publish.
   */
  metrics?: Metrics;
};

/** Wires the real adapters from settings. Clients are built once per process and reused. */
export function buildDeps(settings: Settings, options: BuildDepsOptions): Deps {
  const env = settings.environment;
  const dynamo = createDynamoConnection(env.TABLE_NAME, {
    region: env.AWS_REGION,
    ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT, credentials: localCredentials } : {}),
  });
  const s3 = {
    region: env.AWS_REGION,
    ...(env.S3_ENDPOINT
      ? { endpoint: env.S3_ENDPOINT, forcePathStyle: true, credentials: localCredentials }
      : {}),
  };
  const shards = { dueShards: env.DUE_SHARDS };
  // One guarded path for every URL a caller or a provider gives us (images, webhooks, videos).
  const policy = { allowPrivateUrls: env.ALLOW_PRIVATE_URLS };
  const outbound = createGuardedFetch({ policy });
  const logger = redactingLogger(options.logger ?? createLogger(options.serviceName, env.LOG_LEVEL));
  return {
    tasks: createDynamoTaskStore(dynamo, shards),
    tenants: createDynamoTenantStore(dynamo),
    deliveries: createDynamoDeliveryStore(dynamo, shards),
    rateLimits: createDynamoRateLimitStore(dynamo),
    upstreamPace: createDynamoUpstreamPaceStore(dynamo),
    firstPolls: createDynamoFirstPollStore(dynamo),
    media: createLazyS3MediaStore(s3, env.BUCKET),
    images: createHttpImageSource({
      timeoutMs: env.IMAGE_FETCH_TIMEOUT_MS,
      downloadTimeoutMs: env.IMAGE_DOWNLOAD_TIMEOUT_MS,
      policy,
      fetch: outbound,
    }),
    upstream: buildUpstream(env, createGuardedDownload({ policy })),
    webhooks: createStandardWebhookSender({ timeoutMs: env.WEBHOOK_TIMEOUT_MS, policy, fetch: outbound }),
    clock: { now: () => Date.now() },
    logger,
    metrics:
      options.metrics ??
      createMetrics({
        namespace: env.METRICS_NAMESPACE,
        serviceName: options.serviceName,
        logger,
        write: () => {},
      }),
    newId: () => ulid().toLowerCase(),
    settings: settings.core,
  };
}

/** The provider UPSTREAM names: MiniMax's own API, or the seed API (API in One, the simulator). */
function buildUpstream(env: Settings["environment"], download: Download): UpstreamProvider {
  if (env.UPSTREAM === "minimax") {
    return createMinimaxProvider({
      baseUrl: env.MINIMAX_BASE_URL,
      apiKey: env.MINIMAX_API_KEY,
      timeoutMs: env.UPSTREAM_TIMEOUT_MS,
      createTimeoutMs: env.UPSTREAM_CREATE_TIMEOUT_MS,
      models: env.MINIMAX_MODEL_MAP,
      download,
    });
  }
  return createSeedApiProvider({
    name: env.UPSTREAM,
    baseUrl: env.UPSTREAM_BASE_URL,
    apiKey: env.UPSTREAM_API_KEY,
    timeoutMs: env.UPSTREAM_TIMEOUT_MS,
    createTimeoutMs: env.UPSTREAM_CREATE_TIMEOUT_MS,
    download,
  });
}
