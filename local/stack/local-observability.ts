import { createLogger } from "../../functions/config/logger.js";
import { createMetrics, metricsService } from "../../functions/config/metrics.js";
import type { Environment } from "../../functions/config/settings.js";
import type { Logger, Metrics } from "../../functions/core/ports.js";
import { createConsoleLogger } from "./console-logger.js";

export const metricsFlushMs = 10_000;

/**
 * The local stack's logger and metrics: the functions' own Powertools code either way. `pretty`
 * (the default here) prints one short line per log record and per flushed metrics document;
 * `json` prints what Lambda would hand to CloudWatch, JSON log lines and EMF.
 */
export function localObservability(environment: Environment): { logger: Logger; metrics: Metrics } {
  const namespace = environment.METRICS_NAMESPACE;
  if (environment.LOG_FORMAT === "json") {
    const logger = createLogger("local", environment.LOG_LEVEL);
    return { logger, metrics: createMetrics({ namespace, serviceName: metricsService, logger }) };
  }
  const logger = createConsoleLogger(environment.LOG_LEVEL);
  const write = (emf: string) => logger.info("metrics", emfFields(emf));
  return { logger, metrics: createMetrics({ namespace, serviceName: metricsService, logger, write }) };
}

/** An EMF document as `name=value` fields (values summed, durations averaged) and its dimensions. */
export function emfFields(emf: string): Record<string, unknown> {
  const document = JSON.parse(emf) as Record<string, unknown> & {
    _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string; Unit?: string }[] }[] };
  };
  const [directive] = document._aws.CloudWatchMetrics;
  const fields: Record<string, unknown> = {};
  for (const { Name, Unit } of directive?.Metrics ?? []) {
    const values = ([] as number[]).concat(document[Name] as number | number[]);
    const sum = values.reduce((total, value) => total + value, 0);
    fields[Name] = Unit === "Milliseconds" ? `${Math.round(sum / values.length)}ms` : sum;
  }
  for (const name of new Set(directive?.Dimensions.flat() ?? [])) {
    if (name !== "service") fields[name] = document[name];
  }
  return fields;
}
