import { describe, expect, it } from "vitest";
import { createMetrics } from "../../functions/config/metrics.js";
import { emfFields } from "../../local/stack/local-observability.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe("the local stack's metrics line", () => {
  it("reads an EMF document as its metrics (counts summed, durations averaged) and their split", () => {
    // Prepare: the functions' own metrics, written where the local stack reads them.
    const documents: string[] = [];
    const metrics = createMetrics({
      namespace: "hailuo-gateway",
      serviceName: "gateway",
      logger: silent,
      write: (document) => void documents.push(document),
    });
    metrics.count("TasksFailed", { code: "upstream_timeout" });
    metrics.count("TasksFailed", { code: "upstream_timeout" });
    metrics.count("TasksCompleted");
    metrics.milliseconds("DoneToWebhookMs", 40);
    metrics.milliseconds("DoneToWebhookMs", 60);

    // Act
    metrics.flush();
    const lines = documents.map(emfFields);

    // Assess
    expect(lines).toEqual([
      { TasksFailed: 2, code: "upstream_timeout" },
      { TasksCompleted: 1, DoneToWebhookMs: "50ms" },
    ]);
  });

  it("publishes a split metric with and without its dimension, and nothing when nothing was counted", () => {
    const documents: string[] = [];
    const metrics = createMetrics({
      namespace: "hailuo-gateway",
      serviceName: "gateway",
      logger: silent,
      write: (document) => void documents.push(document),
    });
    metrics.count("UpstreamErrors", { class: "rate_limited" });
    metrics.flush();
    metrics.flush();

    expect(documents).toHaveLength(1);
    const document = JSON.parse(documents[0] ?? "{}");
    expect(document._aws.CloudWatchMetrics[0].Dimensions).toEqual([["service"], ["service", "class"]]);
    expect(document).toMatchObject({ service: "gateway", class: "rate_limited", UpstreamErrors: 1 });
  });
});
