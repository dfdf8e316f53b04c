import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import autocannon from "autocannon";
import { buildDeps } from "../functions/config/build-deps.js";
import { parseSettings } from "../functions/config/settings.js";
import { hashApiKey, newWebhookSecret } from "../functions/core/api-keys.js";
import { minuteWindow } from "../functions/core/rate-limit.js";
import { moveTask } from "../functions/core/task/task.js";
import { firstAttemptRecord } from "../functions/core/use-cases/submit-upstream.js";
import { createApp } from "../functions/http/create-app.js";
import { exampleImagePath } from "../local/stack/local-app.js";
import { localEnvironment } from "../local/stack/local-environment.js";
import { seedTenant } from "../local/stack/seed-tenant.js";
import { benchTask } from "./bench-task.js";
import { type BenchContext, type Benchmark, type BenchOutput, mean, ratioFigure } from "./harness.js";
import { freshNamespace } from "./local-servers.js";
import { startSimulatorProcess } from "./server-process.js";
import { timedDeps } from "./timed-deps.js";

const durationSeconds = Number(process.env.BENCH_CREATE_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CREATE_CONNECTIONS ?? 8);
const breakdownCreates = 40;
const apiKey = "bench-create-key";

type Load = { requestsPerSecond: number; p50Ms: number; p99Ms: number; ok: number; failed: number };

async function load(
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
): Promise<Load> {
  const result = await autocannon({
    url,
    method: "POST",
    headers: init.headers,
    body: init.body,
    connections,
    duration: durationSeconds,
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok: result["2xx"],
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

async function runCreate(context: BenchContext): Promise<BenchOutput> {
  const namespace = await freshNamespace("bench-create");
  const image = await readFile(exampleImagePath);
  const imageServer = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "image/jpeg", "content-length": String(image.length) });
    response.end(image);
  });
  await new Promise<void>((resolve) => imageServer.listen(0, "127.0.0.1", resolve));
  const imageUrl = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}/example.jpg`;
  // Zero latency; every generation "fails" after an hour, so no ffmpeg render competes for the CPU.
  // In a process of its own, as the upstream is another machine's.
  const simulator = await startSimulatorProcess({ SIM_GENERATION_MS: "3600000", SIM_FAILURE_RATE: "1" });
  const settings = parseSettings({
    ...localEnvironment({
      tableName: namespace.tableName,
      bucket: namespace.bucket,
      dynamoEndpoint: namespace.dynamoEndpoint,
      s3Endpoint: namespace.s3Endpoint,
      upstreamUrl: simulator.url,
    }),
    LOG_LEVEL: "SILENT",
    // The per-tenant limit stays on the path (its counter write is part of a create), set out of reach.
    RATE_LIMIT_RPM: "100000000",
  });
  const timed = timedDeps(buildDeps(settings, { serviceName: "bench" }));
  const deps = timed.deps;
  const tenant = await seedTenant(deps.tenants, {
    id: "bench-create",
    name: "Bench",
    apiKey,
    webhookSecret: newWebhookSecret(),
  });
  const app = createApp(deps, {
    maxBodyBytes: settings.environment.MAX_BODY_BYTES,
    idempotencyTtlSeconds: settings.environment.IDEMPOTENCY_TTL_SECONDS,
    minimaxModels: settings.environment.MINIMAX_MODEL_MAP,
  });
  // The floor: the same app and process, answering after the one transaction a create needs.
  app.post("/bench/floor", async (c) => {
    const task = benchTask(deps, tenant.id);
    await deps.tasks.createTask(task, tenant);
    return c.json({ code: 0, message: "ok", data: { task_id: task.id } }, 200);
  });
  // The store's floor: the DynamoDB requests a create makes, in its order, and nothing else (no
  // image, no S3, no upstream, no validation): what DynamoDB Local allows a whole create.
  app.post("/bench/store-floor", async (c) => {
    const now = deps.clock.now();
    await deps.tenants.tenantByApiKeyHash(hashApiKey(apiKey));
    await deps.rateLimits.tryCount(tenant.id, minuteWindow(now), deps.settings.rateLimitRpm);
    const created = await deps.tasks.createTask(
      { ...benchTask(deps, tenant.id), ...firstAttemptRecord(deps, now) },
      tenant,
    );
    if (!created.created) throw new Error("the store floor's task was not created");
    const upstream = { provider: "bench", taskId: `bench-${created.task.id}` };
    await deps.tasks.saveTask(
      moveTask(created.task, "submitted", { upstream, nextPollAt: now + 5_000 }, now),
    );
    return c.json({ code: 0, message: "ok", data: { task_id: created.task.id } }, 200);
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const createUrl = `${base}/api/v1/videos/generations`;
  const floorUrl = `${base}/bench/floor`;
  const storeFloorUrl = `${base}/bench/store-floor`;
  const init = {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "hailuo/2-3-image-to-video-standard",
      prompt: "A golden retriever running through a sunflower field at sunset, slow motion",
      image: imageUrl,
      duration: "6",
      resolution: "768P",
    }),
  };
  try {
    // One upload, before the load: a create copies the upload (by its ETag) into the task's own
    // inputs/ key and leaves it in place, so every create of the load may name the same one.
    const uploadImage = await uploadOnce(base, init.headers, image);
    const uploadInit = { ...init, body: JSON.stringify({ ...JSON.parse(init.body), image: uploadImage }) };
    // Warm-up (JIT, connection pools, the openapi document), then a sequential breakdown.
    for (let index = 0; index < 10; index += 1) {
      await expectOk(await fetch(createUrl, init));
      await expectOk(await fetch(createUrl, uploadInit));
      await expectOk(await fetch(floorUrl, init));
      await expectOk(await fetch(storeFloorUrl, init));
    }
    context.progress(`warm; ${breakdownCreates} sequential creates of each route, each await timed`);
    // One await-by-await breakdown per route: creates sent one at a time, every port timed.
    const timeCreates = async (routeInit: typeof init) => {
      timed.times.clear();
      timed.recording.on = true;
      const totals: number[] = [];
      for (let index = 0; index < breakdownCreates; index += 1) {
        const startedAt = performance.now();
        await expectOk(await fetch(createUrl, routeInit));
        totals.push(performance.now() - startedAt);
      }
      timed.recording.on = false;
      const meanMs = mean(totals);
      const rows = [...timed.times]
        .sort(([, a], [, b]) => b.ms - a.ms)
        .map(([label, entry]) => ({
          await: label,
          "calls per create": entry.calls / breakdownCreates,
          "ms per create": entry.ms / breakdownCreates,
          "share of a create": `${((100 * entry.ms) / breakdownCreates / meanMs).toFixed(0)} %`,
        }));
      const awaited = rows.reduce((sum, row) => sum + row["ms per create"], 0);
      rows.push({
        await: "the rest: HTTP, JSON, validation, the image body's read, hashing",
        "calls per create": 1,
        "ms per create": meanMs - awaited,
        "share of a create": `${((100 * (meanMs - awaited)) / meanMs).toFixed(0)} %`,
      });
      return { meanMs, rows, awaited };
    };
    const uploadTimes = await timeCreates(uploadInit);
    const urlTimes = await timeCreates(init);
    const createMeanMs = urlTimes.meanMs;
    const breakdown = urlTimes.rows;
    const awaited = urlTimes.awaited;
    const imageMs = (rows: typeof breakdown) =>
      rows
        .filter((row) => /^(media|images)\./.test(row.await))
        .reduce((sum, row) => sum + row["ms per create"], 0);

    const isDynamo = (label: string) => /^(tenants|tasks|rateLimits|deliveries)\./.test(label);
    const dynamoCalls =
      [...timed.times].filter(([label]) => isDynamo(label)).reduce((sum, [, entry]) => sum + entry.calls, 0) /
      breakdownCreates;
    context.progress(`floor: ${connections} connections for ${durationSeconds} s`);
    const floor = await load(floorUrl, init);
    context.progress(`floor: ${floor.requestsPerSecond.toFixed(0)} req/s, p99 ${floor.p99Ms} ms`);
    context.progress(`store floor: ${connections} connections for ${durationSeconds} s`);
    const storeFloor = await load(storeFloorUrl, init);
    context.progress(
      `store floor: ${storeFloor.requestsPerSecond.toFixed(0)} req/s, p99 ${storeFloor.p99Ms} ms`,
    );
    context.progress(`create: ${connections} connections for ${durationSeconds} s`);
    const create = await load(createUrl, init);
    context.progress(`create: ${create.requestsPerSecond.toFixed(0)} req/s, p99 ${create.p99Ms} ms`);
    context.progress(`create with an upload: ${connections} connections for ${durationSeconds} s`);
    const createUpload = await load(createUrl, uploadInit);
    context.progress(
      `create with an upload: ${createUpload.requestsPerSecond.toFixed(0)} req/s, p99 ${createUpload.p99Ms} ms`,
    );
    if (create.failed > 0 || floor.failed > 0 || createUpload.failed > 0 || storeFloor.failed > 0) {
      throw new Error(
        `failed requests: create ${create.failed}, create with an upload ${createUpload.failed}, floor ${floor.failed}, store floor ${storeFloor.failed}`,
      );
    }
    return {
      parameters: { connections, durationSeconds, imageBytes: image.length, breakdownCreates },
      figures: [
        ratioFigure(
          "create req/s",
          create.requestsPerSecond,
          "req/s",
          "floor req/s",
          floor.requestsPerSecond,
          {
            at: "least",
            ratio: 0.7,
          },
        ),
        ratioFigure("create p99", create.p99Ms, "ms", "floor p99", floor.p99Ms, { at: "most", ratio: 3 }),
        ratioFigure("create p50", create.p50Ms, "ms", "floor p50", floor.p50Ms),
        ratioFigure(
          "store floor req/s: a create's DynamoDB requests alone",
          storeFloor.requestsPerSecond,
          "req/s",
          "floor req/s",
          floor.requestsPerSecond,
        ),
        ratioFigure(
          "create req/s against the store floor",
          create.requestsPerSecond,
          "req/s",
          "store floor req/s",
          storeFloor.requestsPerSecond,
        ),
        ratioFigure(
          "create with an upload req/s",
          createUpload.requestsPerSecond,
          "req/s",
          "floor req/s",
          floor.requestsPerSecond,
          { at: "least", ratio: 0.7 },
        ),
        ratioFigure("create with an upload p99", createUpload.p99Ms, "ms", "floor p99", floor.p99Ms, {
          at: "most",
          ratio: 3,
        }),
      ],
      details: {
        "Under load (autocannon)": [
          { route: "create (image URL)", ...create },
          { route: "create (upload reference)", ...createUpload },
          { route: "floor (one TransactWrite)", ...floor },
          { route: "store floor (a create's DynamoDB requests alone)", ...storeFloor },
        ],
        [`Where a create's time goes (${breakdownCreates} sequential creates, mean ${createMeanMs.toFixed(1)} ms)`]:
          breakdown,
        [`Where a create with an upload's time goes (${breakdownCreates} sequential creates, mean ${uploadTimes.meanMs.toFixed(1)} ms)`]:
          uploadTimes.rows,
      },
      notes: [
        `A create makes ${dynamoCalls.toFixed(0)} DynamoDB requests (${[...timed.times]
          .filter(([label]) => isDynamo(label))
          .map(([label, entry]) => `${label} ×${(entry.calls / breakdownCreates).toFixed(0)}`)
          .join(
            ", ",
          )}) where the floor makes 1, and DynamoDB Local (one JVM on a shared core) is the slowest part of this stack: the ratio of req/s follows the ratio of DynamoDB requests more than anything the app computes (the rest, ${(createMeanMs - awaited).toFixed(1)} ms a create, is small). ` +
          `The store floor makes those ${dynamoCalls.toFixed(0)} requests and nothing else: ${storeFloor.requestsPerSecond.toFixed(0)} req/s, ${(storeFloor.requestsPerSecond / floor.requestsPerSecond).toFixed(2)} of the floor's, the most any create that needs them can reach on this stack; a whole create reaches ${(create.requestsPerSecond / storeFloor.requestsPerSecond).toFixed(2)} of the store floor (the image fetch and check, the S3 write, the upstream call and validation are the rest).`,
        "The upload route names one upload (`image: \"upload:<id>\"`, from `POST /api/v1/uploads` and a PUT of the same JPEG to its presigned URL, done before the load) in every create: a create checks the upload's first bytes (HeadObject, a ranged GetObject) and copies that version into the task's own `inputs/` key (CopyObject with its ETag), and never deletes it, so one upload serves any number of creates. Where the URL route downloads the image and PUTs it, this route has S3 copy it server-side. " +
          `One at a time, the image's part (S3 and image-fetch awaits) is ${imageMs(uploadTimes.rows).toFixed(1)} ms of a create with an upload (mean ${uploadTimes.meanMs.toFixed(1)} ms) against ${imageMs(breakdown).toFixed(1)} ms of a create with a URL (mean ${createMeanMs.toFixed(1)} ms); the S3 server (fauxqs) and the simulator run in processes of their own, as S3 and the upstream are other machines', but on the same two cores.`,
        "The creates, the creates with an upload and the floors run in one process on the same servers, one after the other, so the machine's load falls on both. " +
          "The simulator answers at once; its generations are set to fail after an hour so that no ffmpeg render competes for the CPU.",
      ],
    };
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => imageServer.close(resolve));
    await simulator.close();
  }
}

/** `POST /api/v1/uploads`, then the PUT of `image` to the presigned URL: the create's `image` value. */
async function uploadOnce(base: string, headers: Record<string, string>, image: Buffer): Promise<string> {
  const response = await fetch(`${base}/api/v1/uploads`, {
    method: "POST",
    headers,
    body: JSON.stringify({ content_type: "image/jpeg", content_length: image.length }),
  });
  const body = (await response.json()) as {
    data?: { image: string; upload_url: string; headers: Record<string, string> };
  };
  if (!body.data) throw new Error(`POST /api/v1/uploads answered ${response.status}`);
  await expectOk(
    await fetch(body.data.upload_url, {
      method: "PUT",
      headers: body.data.headers,
      body: new Uint8Array(image),
    }),
  );
  return body.data.image;
}

async function expectOk(response: Response): Promise<void> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status}: ${text.slice(0, 300)}`);
}

export const create: Benchmark = {
  name: "create",
  title:
    "`POST /api/v1/videos/generations` with an image URL or an upload, against the one transaction it needs",
  knobs: {
    BENCH_CREATE_SECONDS: "seconds of load per route (default 10)",
    BENCH_CREATE_CONNECTIONS: "concurrent connections (default 8)",
  },
  about: `
The api app exactly as deployed (\`createApp\` with the real adapters over DynamoDB Local, the S3
server and the simulator at zero latency, each in a process of its own as S3 and the upstream are
other machines'), served by \`@hono/node-server\` in this process, and
loaded by autocannon (as a library, also in this process) with a create whose image is a URL on a
local HTTP server (\`local/assets/example.jpg\`). Each create authenticates, counts the rate
limit, downloads and checks the image, stores it in \`inputs/\`, runs the transaction (credits,
task, owner index) and makes its first upstream try.

The **floor** is a route added to the same app that does only the one DynamoDB \`TransactWrite\`
a create needs (\`tasks.createTask\`, same tenant): what a create cannot go below on this stack.
Goals: create ≥ 0.7 of the floor's req/s, create p99 ≤ 3× the floor's p99.

A second route under the same load: the create whose image is an upload reference
(\`image: "upload:<id>"\`, one upload made and PUT before the load), with the same goals against
the same floor.

Before the load, ${breakdownCreates} creates are sent one at a time with every port of \`Deps\`
(tenants, tasks, images, media, upstream, rate limits) wrapped in \`performance.now()\`: the time
awaited in each, per create.
`,
  run: runCreate,
};
