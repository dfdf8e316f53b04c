import { buildDeps } from "../../functions/config/build-deps.js";
import { parseSettings, type Settings } from "../../functions/config/settings.js";
import { newWebhookSecret } from "../../functions/core/api-keys.js";
import type { Deps } from "../../functions/core/deps.js";
import type { LogWriter, Metrics } from "../../functions/core/ports.js";
import type { Tenant } from "../../functions/core/tenant.js";
import { freePort } from "../../local/servers/free-port.js";
import {
  type RunningS3NotifyingFront,
  startS3NotifyingFront,
} from "../../local/servers/s3-notifying-front.js";
import {
  type RunningSimulator,
  type SimulatorOptions,
  startSimulator,
} from "../../local/simulator/create-simulator.js";
import { notificationRules } from "../../local/stack/event-routes.js";
import { localEnvironment } from "../../local/stack/local-environment.js";
import { ensureBucket, ensureTable } from "../../local/stack/provision.js";
import { seedTenant } from "../../local/stack/seed-tenant.js";
import {
  testDynamoClient,
  testDynamoEndpoint,
  testS3Client,
  testS3Endpoint,
  uniqueName,
} from "./aws-clients.js";

export type TestStack = {
  deps: Deps;
  settings: Settings;
  /** The environment the settings were parsed from, for a process of the stack's own (as a Lambda gets it). */
  environment: Record<string, string>;
  tenant: Tenant;
  apiKey: string;
  bucket: string;
  tableName: string;
  /** The S3 endpoint that emits events (the notifying front); write here to trigger notify/ingest. */
  s3Endpoint: string;
  simulator?: RunningSimulator;
  front: RunningS3NotifyingFront;
  close(): Promise<void>;
};

const quietLogger = {
  debug() {},
  info() {},
  warn() {},
  error(message: string, extra?: Record<string, unknown>) {
    if (process.env.TEST_LOGS) console.error(message, extra);
  },
};

/**
 * A fresh namespace on the shared local servers: its own table and bucket, its own S3 front with
 * the deployed notifications, a simulator (unless disabled), a seeded tenant, and the real adapters.
 */
export async function startTestStack(
  options: {
    simulator?: SimulatorOptions | false;
    env?: Record<string, string>;
    credits?: number;
    /** Receives every log line of the stack's functions; defaults to a quiet one. */
    logger?: LogWriter;
    /** Records the stack's metrics; by default they are recorded and written nowhere. */
    metrics?: Metrics;
  } = {},
): Promise<TestStack> {
  const tableName = uniqueName("tasks");
  const bucket = uniqueName("media");
  await ensureTable(testDynamoClient(), tableName);
  await ensureBucket(testS3Client(), bucket);
  const simulator =
    options.simulator === false
      ? undefined
      : await startSimulator({ generationMs: 300, ...options.simulator });

  const frontPort = await freePort();
  const environment: Record<string, string> = {
    ...localEnvironment({
      tableName,
      bucket,
      dynamoEndpoint: testDynamoEndpoint(),
      s3Endpoint: `http://127.0.0.1:${frontPort}`,
      upstreamUrl: simulator?.url ?? "http://127.0.0.1:9",
    }),
    UPSTREAM_POLL_INTERVAL_MS: "200",
    POLL_INTERVAL_MS: "100",
    BACKOFF_BASE_MS: "100",
    BACKOFF_CAP_MS: "1000",
    LEASE_MS: "20000",
    UPSTREAM_TIMEOUT_MS: "5000",
    UPSTREAM_CREATE_TIMEOUT_MS: "10000",
    UPSTREAM_AMBIGUOUS_PAUSE_MS: "500",
    ...options.env,
  };
  const settings = parseSettings(environment);
  const logger = options.logger ?? quietLogger;
  const deps = buildDeps(settings, {
    serviceName: "test",
    logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const front = await startS3NotifyingFront({
    port: frontPort,
    target: testS3Endpoint(),
    rules: notificationRules(deps, settings),
    log: () => {},
  });
  const apiKey = `test-key-${uniqueName("k")}`;
  const tenant = await seedTenant(deps.tenants, {
    id: uniqueName("tenant"),
    name: "Test tenant",
    apiKey,
    webhookSecret: newWebhookSecret(),
    ...(options.credits === undefined ? {} : { creditsRemaining: options.credits }),
  });
  return {
    deps,
    settings,
    environment,
    tenant,
    apiKey,
    bucket,
    tableName,
    s3Endpoint: front.endpoint,
    front,
    ...(simulator ? { simulator } : {}),
    async close() {
      await front.stop();
      await simulator?.close();
    },
  };
}
