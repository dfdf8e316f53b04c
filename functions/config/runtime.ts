import type { Context } from "aws-lambda";
import type { Deps } from "../core/deps.js";
import { buildDeps } from "./build-deps.js";
import { linkedEnvironment } from "./linked-resources.js";
import { createLogger } from "./logger.js";
import { createMetrics, metricsService } from "./metrics.js";
import { parseSettings, type Settings } from "./settings.js";

export type Runtime = {
  settings: Settings;
  deps: Deps;
  /**
   * A Lambda handler made observable: the invocation's context on every log line (request id,
   * function, cold start), and the metrics it recorded flushed as EMF when it ends, thrown or not.
   */
  instrument<Event, Result>(
    handler: (event: Event, context: Context) => Promise<Result>,
  ): (event: Event, context: Context) => Promise<Result>;
};

/** Settings and dependencies of one Lambda function, built once per container at module scope. */
export function loadRuntime(serviceName: string): Runtime {
  const settings = parseSettings({ ...process.env, ...linkedEnvironment() });
  const env = settings.environment;
  const logger = createLogger(serviceName, env.LOG_LEVEL);
  const metrics = createMetrics({ namespace: env.METRICS_NAMESPACE, serviceName: metricsService, logger });
  const deps = buildDeps(settings, { serviceName, logger, metrics });
  return {
    settings,
    deps,
    instrument: (handler) => async (event, context) => {
      logger.addContext(context);
      try {
        return await handler(event, context);
      } finally {
        metrics.flush();
      }
    },
  };
}
