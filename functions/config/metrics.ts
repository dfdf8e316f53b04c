import { MetricUnit, Metrics as PowertoolsMetrics } from "@aws-lambda-powertools/metrics";
import type { LogWriter, Metrics } from "../core/ports.js";

export type MetricsOptions = {
  namespace: string;
  serviceName: string;
  /** Where Powertools' own warnings go (a metric it refuses, say). */
  logger: LogWriter;
  /**
   * Receives each EMF document; unset, Powertools writes it to standard output, where Lambda hands
   * it to CloudWatch. The local stack and the tests pass their own.
   */
  write?: (emf: string) => void;
};

/**
 * The `service` dimension of every metric: one for all functions, so that an alarm on TasksFailed
 * watches the gateway, whichever function failed the task (the logs name the function).
 */
export const metricsService = "gateway";

type DimensionSet = { metrics: PowertoolsMetrics; dimensions: Record<string, string>; values: number };

/** Powertools keeps 100 values of a metric, then publishes on its own: flush before it does. */
const valuesPerFlush = 90;

/**
 * CloudWatch Embedded Metric Format through Powertools Metrics. Each distinct set of dimensions is
 * one Powertools instance (one EMF document per flush), published both with and without its
 * dimensions, so that an alarm can watch the total (`TasksFailed`) and a graph the split (by `code`).
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const sets = new Map<string, DimensionSet>();
  const setFor = (dimensions: Readonly<Record<string, string>> = {}): DimensionSet => {
    const key = JSON.stringify(Object.entries(dimensions).sort());
    let set = sets.get(key);
    if (!set) {
      const metrics = new PowertoolsMetrics({
        namespace: options.namespace,
        serviceName: options.serviceName,
        logger: options.logger,
      });
      set = { metrics, dimensions: { ...dimensions }, values: 0 };
      sets.set(key, set);
    }
    return set;
  };
  const publish = (set: DimensionSet) => {
    if (!set.metrics.hasStoredMetrics()) return;
    if (Object.keys(set.dimensions).length > 0) {
      // An empty set stands for the service alone: the total across the split.
      set.metrics.addDimensions({});
      set.metrics.addDimensions(set.dimensions);
    }
    set.values = 0;
    if (!options.write) {
      set.metrics.publishStoredMetrics();
      return;
    }
    const emf = JSON.stringify(set.metrics.serializeMetrics());
    set.metrics.clearMetrics();
    set.metrics.clearDimensions();
    options.write(emf);
  };
  const record = (
    name: string,
    unit: (typeof MetricUnit)[keyof typeof MetricUnit],
    value: number,
    dimensions?: Record<string, string>,
  ) => {
    const set = setFor(dimensions);
    set.metrics.addMetric(name, unit, value);
    if (++set.values >= valuesPerFlush) publish(set);
  };
  return {
    count: (name, dimensions) => record(name, MetricUnit.Count, 1, dimensions),
    milliseconds: (name, value, dimensions) => record(name, MetricUnit.Milliseconds, value, dimensions),
    flush: () => {
      for (const set of sets.values()) publish(set);
    },
  };
}
