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

/** Shared by every function; each function adds only what is its own. */
export const sharedEnvironment = {
  UPSTREAM: "apiinone",
  UPSTREAM_BASE_URL: deployEnvironment.DEPLOY_UPSTREAM_BASE_URL || "https://apiin.one",
  INBOX_TENANT_ID: deployEnvironment.DEPLOY_INBOX_TENANT_ID || "",
  LOG_LEVEL: deployEnvironment.DEPLOY_LOG_LEVEL || "INFO",
};
