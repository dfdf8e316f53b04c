import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { buildDeps } from "../functions/config/build-deps.js";
import { parseSettings } from "../functions/config/settings.js";
import { freePort } from "../local/servers/free-port.js";
import { startS3NotifyingFront } from "../local/servers/s3-notifying-front.js";
import { startSimulator } from "../local/simulator/create-simulator.js";
import { notificationRules } from "../local/stack/event-routes.js";
import { exampleRequest } from "../local/stack/example-request.js";
import { createLocalApp } from "../local/stack/local-app.js";
import { localEnvironment } from "../local/stack/local-environment.js";
import { startLocalPoller } from "../local/stack/local-poller.js";
import { seedTenant } from "../local/stack/seed-tenant.js";
import { type BenchContext, type Benchmark, type BenchOutput, mean, median, ratioFigure } from "./harness.js";
import { freshNamespace } from "./local-servers.js";

const taskCount = Number(process.env.BENCH_WEBHOOK_TASKS ?? 12);
/** settings.ts's defaults, which infra/ does not override: what a deployment runs with. */
const deployed = { UPSTREAM_POLL_INTERVAL_MS: 5_000, POLL_INTERVAL_MS: 2_000, POLLER_RUN_MS: 50_000 };
const scheduleMs = 60_000;
const apiKey = "bench-webhook-key";
const webhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

async function runWebhookLatency(context: BenchContext): Promise<BenchOutput> {
  const namespace = await freshNamespace("bench-webhook");
  const simulator = await startSimulator({ generationMs: 1_500, renderConcurrency: 2 });
  const frontPort = await freePort();
  const settings = parseSettings({
    ...localEnvironment({
      tableName: namespace.tableName,
      bucket: namespace.bucket,
      dynamoEndpoint: namespace.dynamoEndpoint,
      s3Endpoint: `http://127.0.0.1:${frontPort}`,
      upstreamUrl: simulator.url,
    }),
    UPSTREAM_POLL_INTERVAL_MS: String(deployed.UPSTREAM_POLL_INTERVAL_MS),
    POLL_INTERVAL_MS: String(deployed.POLL_INTERVAL_MS),
    LOG_LEVEL: "SILENT",
  });
  const deps = buildDeps(settings, { serviceName: "bench" });
  const front = await startS3NotifyingFront({
    port: frontPort,
    target: namespace.s3Endpoint,
    rules: notificationRules(deps, settings),
    log: () => {},
  });
  const local = createLocalApp(deps, settings, { webhookSecret: () => webhookSecret, log: () => {} });
  const server = serve({ fetch: local.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const poller = startLocalPoller(deps, settings.environment);
  try {
    await seedTenant(deps.tenants, { id: "bench-webhook", name: "Bench", apiKey, webhookSecret });
    // Created one every 700 ms, so that their ends fall at every phase of the poll interval.
    const taskIds: string[] = [];
    for (let index = 0; index < taskCount; index += 1) {
      const response = await fetch(`${apiUrl}/api/v1/videos/generations`, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: JSON.stringify(exampleRequest(apiUrl)),
      });
      const body = (await response.json()) as { data?: { task_id: string } };
      if (!body.data) throw new Error(`create answered ${response.status}: ${JSON.stringify(body)}`);
      taskIds.push(body.data.task_id);
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
    context.progress(`${taskCount} tasks created; waiting for their webhooks`);
    const pending = new Set(taskIds);
    const deadline = Date.now() + 180_000;
    let reported = 0;
    while (pending.size > 0 && Date.now() < deadline) {
      for (const webhook of local.webhooks) if (webhook.taskId) pending.delete(webhook.taskId);
      if (taskCount - pending.size >= reported + 4) {
        reported = taskCount - pending.size;
        context.progress(`${reported}/${taskCount} webhooks received`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (pending.size > 0) throw new Error(`${pending.size} webhooks never came`);
    const delays = await Promise.all(
      taskIds.map(async (taskId) => {
        const task = await deps.tasks.getTask(taskId);
        const record = await fetch(`${simulator.url}/api/v1/tasks/${task?.upstream?.taskId}`, {
          headers: { authorization: "Bearer bench" },
        });
        const doneUpstream = Date.parse(
          ((await record.json()) as { data: { updated_at: string } }).data.updated_at,
        );
        const received = local.webhooks.find((webhook) => webhook.taskId === taskId);
        return Date.parse(received?.receivedAt ?? "") - doneUpstream;
      }),
    );
    const half = deployed.UPSTREAM_POLL_INTERVAL_MS / 2;
    const meanMs = mean(delays);
    // The deployed loop: a run every minute sweeps for POLLER_RUN_MS, so for the rest of the minute
    // nothing sweeps; a task done in that gap waits for the next run (half the gap on average).
    const gapMs = scheduleMs - deployed.POLLER_RUN_MS;
    const gapPenaltyMs = (gapMs / scheduleMs) * (gapMs / 2);
    return {
      parameters: { tasks: taskCount, ...deployed, generationMs: 1_500 },
      figures: [
        ratioFigure(
          "done → webhook, mean (local loop)",
          meanMs,
          "ms",
          "half UPSTREAM_POLL_INTERVAL_MS",
          half,
        ),
        ratioFigure("done → webhook, median", median(delays), "ms", "half UPSTREAM_POLL_INTERVAL_MS", half),
        ratioFigure(
          "done → webhook, mean with the deployed schedule's gap added",
          meanMs + gapPenaltyMs,
          "ms",
          "half UPSTREAM_POLL_INTERVAL_MS",
          half,
        ),
      ],
      details: {
        "Delays (ms), task by task": delays.map((delay, index) => ({
          task: index + 1,
          "done → webhook ms": delay,
        })),
      },
      notes: [
        `Polling finds a finished task on its next poll: UPSTREAM_POLL_INTERVAL_MS (${deployed.UPSTREAM_POLL_INTERVAL_MS} ms) after the last, so ${half} ms late on average; a due task waits for the next sweep too (POLL_INTERVAL_MS ${deployed.POLL_INTERVAL_MS} ms, ${deployed.POLL_INTERVAL_MS / 2} ms on average), then the copy, the S3 event, notify and the webhook's POST follow.`,
        `Deployed, EventBridge starts one poller run a minute, and a run sweeps for POLLER_RUN_MS (${deployed.POLLER_RUN_MS / 1000} s): for ${gapMs / 1000} s of each minute nothing sweeps. A task done in that gap (${((100 * gapMs) / scheduleMs).toFixed(0)} % of the time) waits ${gapMs / 2000} s on average for the next run: ${gapPenaltyMs.toFixed(0)} ms more on the mean, added analytically in the last figure (measuring it would take minutes of wall time per sample). Push (MiniMax's callback) does not wait on either.`,
      ],
    };
  } finally {
    await poller.stop();
    await new Promise((resolve) => server.close(resolve));
    await front.stop();
    await simulator.close();
  }
}

export const webhookLatency: Benchmark = {
  name: "webhook-latency",
  title: "done upstream → signed webhook received, by polling at the deployed settings",
  knobs: { BENCH_WEBHOOK_TASKS: `tasks measured (default ${taskCount})` },
  about: `
The local stack as \`npm start\` wires it (the api app, the S3 notifying front with the deployed
notification rules, the simulator rendering real videos, the local poller loop) but with the
deployed poll settings: \`UPSTREAM_POLL_INTERVAL_MS\` 5,000 and \`POLL_INTERVAL_MS\` 2,000
(settings.ts's defaults; infra/ sets neither). Tasks are created through the api, 700 ms apart;
for each, the delay is from the simulator's \`updated_at\` as it turned Success to the moment the
local webhook inbox received the verified webhook. The bound is half the upstream poll interval:
the mean wait of a poll-driven finish.
`,
  run: runWebhookLatency,
};
