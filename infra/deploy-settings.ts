/**
 * Non-secret settings, chosen at deploy time. They are read from DEPLOY_* variables, not from the
 * names the functions use, so a shell set up for `npm start` (UPSTREAM_BASE_URL pointing at the
 * local simulator) cannot leak into a deployed stage.
 */
const deployEnvironment = process.env;

/** Lambda's synchronous payload limit is 6 MB (6,291,456 bytes) for the whole event; keep headroom. */
export const maxBodyBytes = 6_000_000;

/** Poller loop: sweep for 50 s, then leave 30 s for in-flight copies (see poller.ts for the timeout). */
export const pollerRunMs = 50_000;
export const pollerSafetyMs = 30_000;

/**
 * The poller's Node flags. A copy streams a video through two part buffers of COPY_PART_BYTES; the
 * socket's chunks it copies from are garbage at once, but their bytes live outside the V8 heap and
 * go back only when a scavenge frees their wrappers. A 1 MB semi-space scavenges often enough that a
 * 1 GiB copy's peak RSS stays near 130 MB instead of 160 (`npm run bench -- copy` runs its children
 * with these flags; docs/benchmarks.md).
 */
export const pollerNodeOptions = "--max-semi-space-size=1";

/** Shared by every function; each function adds only what is its own. */
export const sharedEnvironment = {
  /** apiinone, or minimax for MiniMax's own API (its key is the MinimaxApiKey secret). */
  UPSTREAM: deployEnvironment.DEPLOY_UPSTREAM || "apiinone",
  UPSTREAM_BASE_URL: deployEnvironment.DEPLOY_UPSTREAM_BASE_URL || "https://apiin.one",
  LOG_LEVEL: deployEnvironment.DEPLOY_LOG_LEVEL || "INFO",
  // Passed only when set, so settings.ts's defaults (MiniMax's global host; push off) hold otherwise.
  ...(deployEnvironment.DEPLOY_MINIMAX_BASE_URL
    ? { MINIMAX_BASE_URL: deployEnvironment.DEPLOY_MINIMAX_BASE_URL }
    : {}),
  // One namespace per stage keeps a test stage's metrics out of production's alarms.
  ...(deployEnvironment.DEPLOY_METRICS_NAMESPACE
    ? { METRICS_NAMESPACE: deployEnvironment.DEPLOY_METRICS_NAMESPACE }
    : {}),
  // The provider's pace (api and poller share it); unset, settings.ts's per-provider defaults hold.
  ...(deployEnvironment.DEPLOY_UPSTREAM_RPM ? { UPSTREAM_RPM: deployEnvironment.DEPLOY_UPSTREAM_RPM } : {}),
  ...(deployEnvironment.DEPLOY_UPSTREAM_MAX_IN_FLIGHT
    ? { UPSTREAM_MAX_IN_FLIGHT: deployEnvironment.DEPLOY_UPSTREAM_MAX_IN_FLIGHT }
    : {}),
};

/**
 * The api's public origin as set by hand (e.g. a custom domain before the Function URL); unset, the
 * api's Function URL is it (see api.ts `apiPublicBaseUrl`). MiniMax's pushes and `content_url` use it.
 */
export const deployPublicBaseUrl = deployEnvironment.DEPLOY_PUBLIC_BASE_URL || undefined;

/**
 * The drop folder's owner when DEPLOY_INBOX_TENANT_ID is not set. A fixed id, not "none": a
 * redeploy from a shell that forgot the variable keeps the same owner instead of silently
 * disowning the folder. Create it once with `npm run keys -- create --tenant inbox --name …`.
 */
export const defaultInboxTenantId = "inbox";

/** Optional drop-folder settings: passed to ingest only when set, else settings.ts's defaults hold. */
const inboxPassThrough = [
  "INBOX_DEFAULT_PROMPT",
  "INBOX_DEFAULT_MODEL",
  "INBOX_DEFAULT_DURATION",
  "INBOX_DEFAULT_RESOLUTION",
  "INBOX_MAX_BYTES",
] as const;

/** What only ingest reads: the drop folder's owner and its defaults. */
export const inboxEnvironment: Record<string, string> = {
  INBOX_TENANT_ID: deployEnvironment.DEPLOY_INBOX_TENANT_ID || defaultInboxTenantId,
  ...Object.fromEntries(
    inboxPassThrough.flatMap((name) => {
      const value = deployEnvironment[`DEPLOY_${name}`];
      return value ? [[name, value]] : [];
    }),
  ),
};

/**
 * The api's reserved concurrency: at most this many requests run at once; beyond it the Function
 * URL answers 429. A flood on the public URL then cannot take the account's whole concurrency from
 * the poller, ingest and notify, nor run up DynamoDB reads without bound. Reserving needs the
 * account's concurrency quota to stay ≥ 100 unreserved: on a new account (quota 10) deploy with
 * DEPLOY_API_RESERVED_CONCURRENCY=none until AWS raises it.
 */
export const apiReservedConcurrency = parseReserved(deployEnvironment.DEPLOY_API_RESERVED_CONCURRENCY, 50);

function parseReserved(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined || value === "") return fallback;
  if (value === "none") return undefined;
  const parsed = Number(value);
  // 0 would throttle every request: refuse it rather than deploy an api that answers nothing.
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new Error(`DEPLOY_API_RESERVED_CONCURRENCY must be a positive integer or "none", not "${value}"`);
  }
  return parsed;
}
