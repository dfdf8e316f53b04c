/**
 * `npm start`: the whole gateway on one machine, offline. DynamoDB Local, the S3 server behind our
 * notifying front, the Hailuo simulator, the api, and the poller on a timer, all wired like AWS.
 */
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { serve } from "@hono/node-server";
import { buildDeps } from "../functions/config/build-deps.js";
import { parseSettings } from "../functions/config/settings.js";
import { sweepDueWork } from "../functions/core/use-cases/run-poller.js";
import { startDynamoDbLocal } from "./servers/dynamodb-local.js";
import { freePort } from "./servers/free-port.js";
import { startS3NotifyingFront } from "./servers/s3-notifying-front.js";
import { startS3Server } from "./servers/s3-server.js";
import { startSimulator } from "./simulator/create-simulator.js";
import { simulatorOptionsFromEnv } from "./simulator/main.js";
import { banner } from "./stack/banner.js";
import { createConsoleLogger } from "./stack/console-logger.js";
import { notificationRules } from "./stack/event-routes.js";
import { createLocalApp } from "./stack/local-app.js";
import { readLocalConfig } from "./stack/local-config.js";
import { localEnvironment } from "./stack/local-environment.js";
import { ensureBucket, ensureTable } from "./stack/provision.js";
import { seedTenant } from "./stack/seed-tenant.js";

const localTenantId = "local";
const stops: (() => Promise<unknown>)[] = [];
let stopping = false;

async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  for (const stop of stops.reverse()) await stop().catch(() => {});
  process.exit(code);
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

async function main() {
  const config = readLocalConfig(process.env);
  const step = (what: string) => console.log(`starting ${what}…`);
  const credentials = { accessKeyId: "local", secretAccessKey: "local" };

  step(`DynamoDB Local on :${config.DYNAMODB_PORT}`);
  const dynamo = await startDynamoDbLocal({
    port: config.DYNAMODB_PORT,
    dataDir: join(config.dataDir, "dynamodb"),
  });
  stops.push(() => dynamo.stop());

  step("the S3 server");
  const s3 = await startS3Server({ port: await freePort(), storageDir: join(config.dataDir, "s3") });
  stops.push(() => s3.stop());

  let upstreamUrl = config.UPSTREAM_BASE_URL ?? "";
  if (config.UPSTREAM === "simulator") {
    step(`the Hailuo simulator on :${config.SIM_PORT}`);
    const simulatorOptions = simulatorOptionsFromEnv(process.env);
    const simulator = await startSimulator({
      ...simulatorOptions,
      dataDir: simulatorOptions.dataDir ?? join(config.dataDir, "simulator"),
      port: config.SIM_PORT,
      logger: (line) => console.log(`[simulator] ${line}`),
    });
    stops.push(() => simulator.close());
    upstreamUrl = simulator.url;
  }

  const definedEnv = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ""));
  const settings = parseSettings({
    ...localEnvironment({
      tableName: config.TABLE_NAME,
      bucket: config.BUCKET,
      dynamoEndpoint: dynamo.endpoint,
      s3Endpoint: `http://${config.HOST}:${config.S3_PORT}`,
      upstreamUrl,
      upstream: config.UPSTREAM,
      inboxTenantId: localTenantId,
    }),
    ...definedEnv,
    ...(config.UPSTREAM === "simulator" ? { UPSTREAM: "simulator", UPSTREAM_BASE_URL: upstreamUrl } : {}),
    TABLE_NAME: config.TABLE_NAME,
    BUCKET: config.BUCKET,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    S3_ENDPOINT: `http://${config.HOST}:${config.S3_PORT}`,
  });
  const logger = createConsoleLogger(settings.environment.LOG_LEVEL);
  const deps = buildDeps(settings, { serviceName: "local", logger });

  await ensureTable(
    new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials }),
    config.TABLE_NAME,
  );
  await ensureBucket(
    new S3Client({ endpoint: s3.endpoint, region: "us-east-1", credentials, forcePathStyle: true }),
    config.BUCKET,
  );
  await seedTenant(deps.tenants, {
    id: localTenantId,
    name: "Local tenant",
    apiKey: config.LOCAL_API_KEY,
    webhookSecret: config.webhookSecret,
    // Tasks that name no callback_url (the drop folder's, say) report to the local inbox too.
    defaultCallbackUrl: `http://${config.HOST}:${config.PORT}/dev/webhooks`,
  });

  step(`the S3 front (notifications) on :${config.S3_PORT}`);
  const front = await startS3NotifyingFront({
    port: config.S3_PORT,
    target: s3.endpoint,
    rules: notificationRules(deps, settings),
    log: (line) => logger.warn(line),
  });
  stops.push(() => front.stop());

  const { app } = createLocalApp(deps, settings, {
    webhookSecret: () => config.webhookSecret,
    log: (line) => logger.info(line),
  });
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", reject);
  });
  stops.push(() => new Promise((resolve) => server.close(() => resolve(undefined))));

  // The poller: EventBridge's schedule on AWS, a timer here, the same sweep either way.
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await sweepDueWork(deps, {
        limit: settings.environment.POLL_BATCH_LIMIT,
        concurrency: settings.environment.POLL_CONCURRENCY,
      }).catch((error) => logger.error("poller sweep failed", { error: String(error) }));
      if (polling) await new Promise((resolve) => setTimeout(resolve, settings.environment.POLL_INTERVAL_MS));
    }
  })();
  // Stopped first (stops run in reverse): a sweep in flight finishes, so no lease is left to time out.
  stops.push(async () => {
    polling = false;
    await poller;
  });

  console.log(banner(config, upstreamUrl));
}

main().catch(async (error) => {
  console.error(`\nthe local stack could not start: ${error instanceof Error ? error.message : error}`);
  await stopAll(1);
});
