import { join } from "node:path";
import { startDynamoDbLocal } from "../servers/dynamodb-local.js";
import { freePort } from "../servers/free-port.js";
import { startS3Server } from "../servers/s3-server.js";
import { startSimulator } from "../simulator/create-simulator.js";
import { simulatorOptionsFromEnv } from "../simulator/main.js";
import type { LocalConfig } from "./local-config.js";

export type BackingServers = {
  dynamoEndpoint: string;
  /** The S3 server itself; clients go through the notifying front instead. */
  s3Endpoint: string;
  upstreamUrl: string;
};

/**
 * What AWS and the provider are on one machine: DynamoDB Local, the S3 server, and the simulator
 * unless a real upstream is configured. Each stop is handed to `onStop` as soon as it exists.
 */
export async function startBackingServers(
  config: LocalConfig,
  onStop: (stop: () => Promise<unknown>) => void,
  step: (what: string) => void,
): Promise<BackingServers> {
  step(`DynamoDB Local on :${config.DYNAMODB_PORT}`);
  const dynamo = await startDynamoDbLocal({
    port: config.DYNAMODB_PORT,
    dataDir: join(config.dataDir, "dynamodb"),
  });
  onStop(() => dynamo.stop());

  step("the S3 server");
  const s3 = await startS3Server({ port: await freePort(), storageDir: join(config.dataDir, "s3") });
  onStop(() => s3.stop());

  let upstreamUrl = config.UPSTREAM_BASE_URL ?? "";
  if (config.UPSTREAM === "simulator" || (config.UPSTREAM === "minimax" && !process.env.MINIMAX_BASE_URL)) {
    step(`the Hailuo simulator on :${config.SIM_PORT}`);
    const simulatorOptions = simulatorOptionsFromEnv(process.env);
    const simulator = await startSimulator({
      ...simulatorOptions,
      dataDir: simulatorOptions.dataDir ?? join(config.dataDir, "simulator"),
      port: config.SIM_PORT,
      logger: (line) => console.log(`[simulator] ${line}`),
    });
    onStop(() => simulator.close());
    upstreamUrl = simulator.url;
  }
  return { dynamoEndpoint: dynamo.endpoint, s3Endpoint: s3.endpoint, upstreamUrl };
}
