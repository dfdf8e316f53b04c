import { apiPublicBaseUrl } from "./api";
import { pollerNodeOptions, pollerRunMs, pollerSafetyMs, sharedEnvironment } from "./deploy-settings";
import { functionDefaults } from "./function-defaults";
import { minimaxApiKey, upstreamApiKey } from "./secrets";
import { bucket, table } from "./storage";

/**
 * Timeout 110 s ≥ POLLER_RUN_MS (50 s) + POLLER_SAFETY_MS (30 s): the handler stops taking new work
 * at min(run, remaining − safety) = 50 s, so a step started at 49 s still has 60 s. The longest
 * step is a queued URL image's: its download (IMAGE_DOWNLOAD_TIMEOUT_MS, 30 s), then the upstream
 * create (UPSTREAM_TIMEOUT_MS, 15 s). Runs overlap the next minute's by up to 50 s; leases keep
 * them apart, and LEASE_MS (5 min) outlasts any run.
 */
export const pollerTimeoutSeconds = 110;

/** Deliveries EventBridge Scheduler could not make (throttled, function missing) land here. */
export const pollerDeadLetters = new sst.aws.Queue("PollerDeadLetters");

export const poller = new sst.aws.CronV2("Poller", {
  schedule: "rate(1 minute)",
  retries: 2,
  dlq: pollerDeadLetters.arn,
  function: {
    ...functionDefaults,
    handler: "functions/handlers/poller.handler",
    // 8 concurrent multipart copies × 2 parts × 5 MB in flight ≈ 80 MB, plus the SDK; more memory
    // also means more network bandwidth for the copies.
    memory: "512 MB",
    timeout: `${pollerTimeoutSeconds} seconds`,
    // The next tick is the retry: Lambda's own async retries would only stack sweeps.
    retries: 0,
    link: [table, bucket, upstreamApiKey, minimaxApiKey],
    environment: {
      ...sharedEnvironment,
      PUBLIC_BASE_URL: apiPublicBaseUrl,
      POLLER_RUN_MS: String(pollerRunMs),
      POLLER_SAFETY_MS: String(pollerSafetyMs),
      NODE_OPTIONS: pollerNodeOptions,
    },
  },
});
