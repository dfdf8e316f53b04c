/**
 * `npm start`: the whole gateway on one machine, offline. DynamoDB Local, the S3 server behind our
 * notifying front, the Hailuo simulator, the api, and the poller on a timer, all wired like AWS.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { serve } from "@hono/node-server";
import { buildDeps } from "../functions/config/build-deps.js";
import { parseSettings } from "../functions/config/settings.js";
import type { Deps } from "../functions/core/deps.js";
import { startS3NotifyingFront } from "./servers/s3-notifying-front.js";
import { type BackingServers, startBackingServers } from "./stack/backing-servers.js";
import { banner } from "./stack/banner.js";
import { notificationRules } from "./stack/event-routes.js";
import { createLocalApp } from "./stack/local-app.js";
import { type LocalConfig, readLocalConfig } from "./stack/local-config.js";
import { localEnvironment } from "./stack/local-environment.js";
import { localObservability, metricsFlushMs } from "./stack/local-observability.js";
import { startLocalPoller } from "./stack/local-poller.js";
import { ensureBucket, ensureTable } from "./stack/provision.js";
import { seedTenant } from "./stack/seed-tenant.js";

const localTenantId = "local";
const stops: (() => Promise<unknown>)[] = [];
let stopping = false;

async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  if (code === 0) console.log("\nstopping the local stack…");
  for (const stop of stops.reverse()) await stop().catch(() => {});
  if (code === 0) console.log("stopped; the data is kept for the next start (npm run reset wipes it)");
  process.exit(code);
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

async function main() {
  const config = readLocalConfig(process.env);
  const step = (what: string) => console.log(`starting ${what}…`);
  const servers = await startBackingServers(config, (stop) => stops.push(stop), step);

  const frontEndpoint = `http://${config.HOST}:${config.S3_PORT}`;
  const definedEnv = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ""));
  const settings = parseSettings({
    ...localEnvironment({
      tableName: config.TABLE_NAME,
      bucket: config.BUCKET,
      dynamoEndpoint: servers.dynamoEndpoint,
      s3Endpoint: frontEndpoint,
      upstreamUrl: servers.upstreamUrl,
      upstream: config.UPSTREAM,
      inboxTenantId: localTenantId,
    }),
    ...definedEnv,
    ...(config.UPSTREAM === "simulator"
      ? { UPSTREAM: "simulator", UPSTREAM_BASE_URL: servers.upstreamUrl }
      : {}),
    ...(config.UPSTREAM === "minimax" ? minimaxEnvironment(config, servers.upstreamUrl) : {}),
    TABLE_NAME: config.TABLE_NAME,
    BUCKET: config.BUCKET,
    DYNAMODB_ENDPOINT: servers.dynamoEndpoint,
    S3_ENDPOINT: frontEndpoint,
  });
  const { logger, metrics } = localObservability(settings.environment);
  const deps = buildDeps(settings, { serviceName: "local", logger, metrics });
  // Lambda flushes at the end of each invocation; a process that runs for hours, every few seconds.
  const flushing = setInterval(() => metrics.flush(), metricsFlushMs);
  stops.push(async () => {
    clearInterval(flushing);
    metrics.flush();
  });
  await provision(config, servers, deps);

  step(`the S3 front (notifications) on :${config.S3_PORT}`);
  const front = await startS3NotifyingFront({
    port: config.S3_PORT,
    target: servers.s3Endpoint,
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

  // Stopped first (stops run in reverse order).
  const poller = startLocalPoller(deps, settings.environment);
  stops.push(() => poller.stop());

  console.log(banner(config, servers.upstreamUrl));
}

/** The table, the bucket and the local tenant, each made once and found again on the next start. */
async function provision(config: LocalConfig, servers: BackingServers, deps: Deps): Promise<void> {
  const credentials = { accessKeyId: "local", secretAccessKey: "local" };
  await ensureTable(
    new DynamoDBClient({ endpoint: servers.dynamoEndpoint, region: "us-east-1", credentials }),
    config.TABLE_NAME,
  );
  await ensureBucket(
    new S3Client({ endpoint: servers.s3Endpoint, region: "us-east-1", credentials, forcePathStyle: true }),
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
}

/**
 * UPSTREAM=minimax: the simulator's MiniMax side unless MINIMAX_BASE_URL names another, and pushes
 * to this api's port unless PUBLIC_BASE_URL says where the api is reached from outside.
 */
function minimaxEnvironment(config: LocalConfig, simulatorUrl: string): Record<string, string> {
  return {
    UPSTREAM: "minimax",
    MINIMAX_BASE_URL: process.env.MINIMAX_BASE_URL || simulatorUrl,
    MINIMAX_API_KEY: process.env.MINIMAX_API_KEY || "local-simulator-key",
    PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL || `http://${config.HOST}:${config.PORT}`,
  };
}

main().catch(async (error) => {
  console.error(`\nthe local stack could not start: ${error instanceof Error ? error.message : error}`);
  await stopAll(1);
});
