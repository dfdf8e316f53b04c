import { loadRuntime } from "../config/runtime.js";
import { runPoller } from "../core/use-cases/run-poller.js";

const { settings, deps, instrument } = loadRuntime("poller");
const env = settings.environment;

/**
 * Fired every minute by EventBridge Scheduler. Sweeps the due index in a loop until it nears its
 * timeout; leaving POLLER_SAFETY_MS spare lets an in-flight copy finish before Lambda stops it.
 */
export const handler = instrument(async (_event: unknown, context) => {
  const stopAt =
    Date.now() + Math.min(env.POLLER_RUN_MS, context.getRemainingTimeInMillis() - env.POLLER_SAFETY_MS);
  const result = await runPoller(deps, {
    stopAt,
    intervalMs: env.POLL_INTERVAL_MS,
    limit: env.POLL_BATCH_LIMIT,
    concurrency: env.POLL_CONCURRENCY,
  });
  deps.logger.info("poller run finished", { ...result });
  return result;
});
