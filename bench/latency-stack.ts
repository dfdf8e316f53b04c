import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { buildDeps } from "../functions/config/build-deps.js";
import { parseSettings } from "../functions/config/settings.js";
import type { Deps } from "../functions/core/deps.js";
import { freePort } from "../local/servers/free-port.js";
import { startS3NotifyingFront } from "../local/servers/s3-notifying-front.js";
import { startSimulator } from "../local/simulator/create-simulator.js";
import { notificationRules } from "../local/stack/event-routes.js";
import { exampleRequest } from "../local/stack/example-request.js";
import { createLocalApp } from "../local/stack/local-app.js";
import { localEnvironment } from "../local/stack/local-environment.js";
import { startLocalPoller } from "../local/stack/local-poller.js";
import { seedTenant } from "../local/stack/seed-tenant.js";
import type { BenchContext } from "./harness.js";
import { freshNamespace } from "./local-servers.js";

const apiKey = "bench-latency-key";
const webhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

export type LatencyRun = {
  /** A name for the table, bucket and tenant, e.g. "push". */
  name: string;
  /** Settings on top of the local stack's (poll intervals, UPSTREAM, PUBLIC_BASE_URL's switch). */
  env: Record<string, string>;
  /** With `push`, PUBLIC_BASE_URL is the api's own URL, so MiniMax's pushes reach it. */
  push?: boolean;
  tasks: number;
  /** Gap between two creates, so that the ends fall at every phase of the poll interval. */
  createEveryMs: number;
  generationMs: number;
  /** The whole run fails past this: a webhook that never comes is an error, not a wait. */
  deadlineMs: number;
};

/**
 * The local stack as `npm start` wires it (the api over HTTP, the S3 notifying front with the
 * deployed notification rules, the simulator serving real MP4s, one render reused, the local poller loop) on
 * fresh names, `run.tasks` example requests through the api, and for each the delay from the
 * simulator's `updated_at` as it turned Success to the moment the webhook inbox received the
 * verified webhook. Everything it starts is stopped.
 */
export async function measureDoneToWebhook(context: BenchContext, run: LatencyRun): Promise<number[]> {
  const namespace = await freshNamespace(`bench-${run.name}`);
  // One render per image and settings, copied for later tasks: ffmpeg's queue on two cores would
  // otherwise hold the later tasks' Success back by minutes and measure the renders, not the gateway.
  const simulator = await startSimulator({
    generationMs: run.generationMs,
    renderConcurrency: 2,
    reuseRenders: true,
  });
  const [apiPort, frontPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const settings = parseSettings({
    ...localEnvironment({
      tableName: namespace.tableName,
      bucket: namespace.bucket,
      dynamoEndpoint: namespace.dynamoEndpoint,
      s3Endpoint: `http://127.0.0.1:${frontPort}`,
      upstreamUrl: simulator.url,
    }),
    // Both upstreams on the simulator: it serves the seed API and MiniMax's on one origin.
    MINIMAX_BASE_URL: simulator.url,
    LOG_LEVEL: "SILENT",
    ...run.env,
    ...(run.push ? { PUBLIC_BASE_URL: apiUrl } : {}),
  });
  const deps: Deps = buildDeps(settings, { serviceName: "bench" });
  const front = await startS3NotifyingFront({
    port: frontPort,
    target: namespace.s3Endpoint,
    rules: notificationRules(deps, settings),
    log: () => {},
  });
  const local = createLocalApp(deps, settings, { webhookSecret: () => webhookSecret, log: () => {} });
  const server = serve({ fetch: local.app.fetch, port: apiPort, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  if ((server.address() as AddressInfo).port !== apiPort) throw new Error("the api is not on its port");
  const poller = startLocalPoller(deps, settings.environment);
  try {
    await seedTenant(deps.tenants, { id: `bench-${run.name}`, name: run.name, apiKey, webhookSecret });
    const taskIds: string[] = [];
    for (let index = 0; index < run.tasks; index += 1) {
      const response = await fetch(`${apiUrl}/api/v1/videos/generations`, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: JSON.stringify(exampleRequest(apiUrl)),
      });
      const body = (await response.json()) as { data?: { task_id: string } };
      if (!body.data) throw new Error(`create answered ${response.status}: ${JSON.stringify(body)}`);
      taskIds.push(body.data.task_id);
      await new Promise((resolve) => setTimeout(resolve, run.createEveryMs));
    }
    context.progress(`${run.name}: ${run.tasks} tasks created; waiting for their webhooks`);
    const pending = new Set(taskIds);
    const deadline = Date.now() + run.deadlineMs;
    let reported = 0;
    while (pending.size > 0 && Date.now() < deadline) {
      for (const webhook of local.webhooks) if (webhook.taskId) pending.delete(webhook.taskId);
      if (run.tasks - pending.size >= reported + 10) {
        reported = run.tasks - pending.size;
        context.progress(`${run.name}: ${reported}/${run.tasks} webhooks received`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (pending.size > 0) throw new Error(`${run.name}: ${pending.size} webhooks never came`);
    return await Promise.all(
      taskIds.map(async (taskId) => {
        const upstreamId = (await deps.tasks.getTask(taskId))?.upstream?.taskId ?? "";
        // The simulator keeps both APIs' tasks as one record; MiniMax's id is the record's digits.
        const recordId = upstreamId.startsWith("sim_") ? upstreamId : `sim_${upstreamId}`;
        const record = await fetch(`${simulator.url}/api/v1/tasks/${recordId}`, {
          headers: { authorization: "Bearer bench" },
        });
        const doneUpstream = Date.parse(
          ((await record.json()) as { data: { updated_at: string } }).data.updated_at,
        );
        const received = local.webhooks.find((webhook) => webhook.taskId === taskId);
        return Date.parse(received?.receivedAt ?? "") - doneUpstream;
      }),
    );
  } finally {
    await poller.stop();
    await new Promise((resolve) => server.close(resolve));
    await front.stop();
    await simulator.close();
  }
}
