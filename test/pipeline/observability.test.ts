import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../functions/config/metrics.js";
import type { LogWriter } from "../../functions/core/ports.js";
import { exampleRequest } from "../../local/stack/example-request.js";
import { createLocalApp } from "../../local/stack/local-app.js";
import { delivered, deliveryWhen, pollUntil } from "../support/run-poller-until.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

type LogLine = { level: string; message: string } & Record<string, unknown>;
type EmfDocument = Record<string, unknown> & {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
};

/** Every log line of the stack's functions, as the structured record a log sink would store. */
function keepingLogger(lines: LogLine[]): LogWriter {
  const write = (level: string) => (message: string, extra?: Record<string, unknown>) =>
    void lines.push({ level, message, ...extra });
  return { debug: write("DEBUG"), info: write("INFO"), warn: write("WARN"), error: write("ERROR") };
}

/** The values of metric `name` over the EMF documents whose dimensions are exactly `dimensions`. */
function valuesOf(documents: EmfDocument[], name: string, dimensions: Record<string, string> = {}): number[] {
  return documents.flatMap((document) => {
    const [directive] = document._aws.CloudWatchMetrics;
    if (!directive?.Metrics.some((metric) => metric.Name === name)) return [];
    const extra = new Set(directive.Dimensions.flat().filter((key) => key !== "service"));
    const wanted = Object.keys(dimensions);
    if (extra.size !== wanted.length || wanted.some((key) => document[key] !== dimensions[key])) return [];
    return ([] as number[]).concat(document[name] as number | number[]);
  });
}

describe("what an operator reads of one task", () => {
  const lines: LogLine[] = [];
  const emf: EmfDocument[] = [];
  let stack: TestStack;
  let baseUrl: string;
  let close: () => void;

  beforeAll(async () => {
    const logger = keepingLogger(lines);
    // The functions' own Powertools metrics; only where the EMF goes differs from Lambda's stdout.
    const metrics = createMetrics({
      namespace: "hailuo-gateway",
      serviceName: "test",
      logger,
      write: (document) => void emf.push(JSON.parse(document) as EmfDocument),
    });
    stack = await startTestStack({ simulator: { generationMs: 300 }, logger, metrics });
    const local = createLocalApp(stack.deps, stack.settings, {
      webhookSecret: () => stack.tenant.webhookSecret,
      log: () => {},
    });
    const server = serve({ fetch: local.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((resolve) => server.once("listening", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(async () => {
    close?.();
    await stack?.close();
  });

  it("counts it accepted and completed, times done to webhook, and tags every log line with its id", async () => {
    // Act: one task from the API to its delivered webhook, then the flush a Lambda does at its end.
    const created = await fetch(`${baseUrl}/api/v1/videos/generations`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(exampleRequest(baseUrl)),
    });
    expect(created.status).toBe(200);
    const taskId = ((await created.json()) as { data: { task_id: string } }).data.task_id;
    await pollUntil(stack.deps, taskId, (task) => task.phase === "done" && task.announced === true);
    await stack.front.drain();
    await deliveryWhen(stack.deps, taskId, delivered);
    stack.deps.metrics.flush();

    // Assess: the EMF documents CloudWatch would turn into metrics…
    expect(emf.length).toBeGreaterThan(0);
    for (const document of emf) {
      expect(document._aws.CloudWatchMetrics[0]?.Namespace).toBe("hailuo-gateway");
    }
    expect(valuesOf(emf, "TasksAccepted", { source: "api" })).toEqual([1]);
    expect(valuesOf(emf, "TasksCompleted")).toEqual([1]);
    expect(valuesOf(emf, "TasksFailed")).toEqual([]);
    const [latency, ...more] = valuesOf(emf, "DoneToWebhookMs");
    expect(more).toEqual([]);
    expect(latency).toBeGreaterThanOrEqual(0);
    expect(latency).toBeLessThan(30_000);
    const unit = emf
      .flatMap((document) => document._aws.CloudWatchMetrics[0]?.Metrics ?? [])
      .find((metric) => metric.Name === "DoneToWebhookMs")?.Unit;
    expect(unit).toBe("Milliseconds");

    // …and the log: the task's lines from record to webhook, each carrying its id.
    const messages = lines.map((line) => line.message);
    for (const expected of [
      "task recorded",
      "task submitted upstream",
      "task completed",
      "webhook delivered",
    ]) {
      expect(messages).toContain(expected);
    }
    const untagged = lines.filter((line) => line.taskId !== taskId);
    expect(untagged).toEqual([]);
    const deliveredLine = lines.find((line) => line.message === "webhook delivered");
    expect(deliveredLine?.sinceEndMs).toBe(latency);
  }, 120_000);
});
