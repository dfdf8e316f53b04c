import type { Environment } from "../../functions/config/settings.js";
import type { Deps } from "../../functions/core/deps.js";
import { sweepDueWork } from "../../functions/core/use-cases/run-poller.js";

/**
 * The poller on one machine: EventBridge's schedule on AWS, a timer here, the same sweep either way.
 * `stop` lets a sweep in flight finish, so no lease is left behind to time out.
 */
export function startLocalPoller(deps: Deps, environment: Environment): { stop(): Promise<void> } {
  let polling = true;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (polling) {
      await sweepDueWork(deps, {
        limit: environment.POLL_BATCH_LIMIT,
        concurrency: environment.POLL_CONCURRENCY,
      }).catch((error) => deps.logger.error("poller sweep failed", { error }));
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, environment.POLL_INTERVAL_MS);
      });
    }
  })();
  return {
    async stop() {
      polling = false;
      wake?.();
      await loop;
    },
  };
}
