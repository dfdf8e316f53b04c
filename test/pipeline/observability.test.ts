import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../functions/config/metrics.js";
import type { LogWriter } from "../../functions/core/ports.js";
import { createApp } from "../../functions/http/create-app.js";
import { exampleRequest } from "../../local/stack/example-request.js";
import { createLocalApp } from "../../local/stack/local-app.js";
import { makeJpeg } from "../ingest/support/images.js";
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

/** The EMF documents with metric `name`, as `{ value, dimension values }`, to check a split. */
function splitOf(documents: EmfDocument[], name: string): Record<string, unknown>[] {
  return documents.flatMap((document) => {
    const [directive] = document._aws.CloudWatchMetrics;
    if (!directive?.Metrics.some((metric) => metric.Name === name)) return [];
    const keys = new Set(directive.Dimensions.flat().filter((key) => key !== "service"));
    return [{ [name]: document[name], ...Object.fromEntries([...keys].map((key) => [key, document[key]])) }];
  });
}

function stackMetrics(logger: LogWriter, emf: EmfDocument[]) {
  // The functions' own Powertools metrics; only where the EMF goes differs from Lambda's stdout.
  return createMetrics({
    namespace: "hailuo-gateway",
    serviceName: "gateway",
    logger,
    write: (document) => void emf.push(JSON.parse(document) as EmfDocument),
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
    stack = await startTestStack({
      simulator: { generationMs: 300 },
      logger,
      metrics: stackMetrics(logger, emf),
    });
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

describe("what an operator reads of failures", () => {
  const lines: LogLine[] = [];
  const emf: EmfDocument[] = [];
  let stack: TestStack;

  beforeAll(async () => {
    const logger = keepingLogger(lines);
    // Every generation fails, and the upstream takes one create a minute: the second is refused.
    stack = await startTestStack({
      simulator: { generationMs: 100, failureRate: 1, rpm: 1, rpmWindowMs: 60_000 },
      logger,
      metrics: stackMetrics(logger, emf),
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("counts failures by code, upstream errors by class and webhook failures", async () => {
    // Prepare: callbacks to a port where nothing listens.
    const app = createApp(stack.deps, { maxBodyBytes: 1024 * 1024, idempotencyTtlSeconds: 60 });
    const image = `data:image/jpeg;base64,${Buffer.from(await makeJpeg(640, 360)).toString("base64")}`;
    const create = async () => {
      const response = await app.request("/api/v1/videos/generations", {
        method: "POST",
        headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ prompt: "a slow push-in", image, callback_url: "http://127.0.0.1:9/hook" }),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { data: { task_id: string } }).data.task_id;
    };

    // Act: the first task fails upstream and its webhook cannot be delivered; the second is refused.
    const failing = await create();
    const refused = await create();
    const failed = await pollUntil(
      stack.deps,
      failing,
      (task) => task.phase === "failed" && !!task.announced,
    );
    await deliveryWhen(stack.deps, failing, (delivery) => delivery.attempts.length > 0);
    stack.deps.metrics.flush();

    // Assess
    expect(splitOf(emf, "TasksAccepted")).toEqual([{ TasksAccepted: [1, 1], source: "api" }]);
    expect(splitOf(emf, "TasksFailed")).toEqual([{ TasksFailed: 1, code: failed.error?.code }]);
    expect(splitOf(emf, "UpstreamErrors")).toContainEqual({
      UpstreamErrors: expect.anything(),
      class: "rate_limited",
    });
    expect(splitOf(emf, "WebhookFailures")[0]).toMatchObject({ outcome: "retrying" });
    const refusal = lines.find((line) => line.message === "task step failed; retrying later");
    expect(refusal).toMatchObject({ taskId: refused, level: "WARN" });
    expect(lines.find((line) => line.message === "task failed")).toMatchObject({
      taskId: failing,
      code: failed.error?.code,
      reason: failed.error?.message,
      refunded: failed.credits,
    });
  }, 120_000);
});
