import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { startDynamoDbLocal } from "../local/servers/dynamodb-local.js";
import { freePort } from "../local/servers/free-port.js";
import { ensureBucket, ensureTable } from "../local/stack/provision.js";
import { startS3ServerProcess } from "./server-process.js";

export type LocalServers = { dynamoEndpoint: string; s3Endpoint: string };

const credentials = { accessKeyId: "local", secretAccessKey: "local" };
const region = "us-east-1";
let started: Promise<LocalServers> | undefined;
let sequence = 0;

/**
 * DynamoDB Local (in memory) and the S3 server, started once for every benchmark of a run that
 * needs them (a JVM start is 10–30 s on this machine). The S3 server runs in a process of its own,
 * as S3 is another machine's (its serving would otherwise share the event loop of the code being
 * measured), and keeps objects on disk, under a temporary folder: the copy benchmark writes a
 * gigabyte. Both die with the process.
 */
export function localServers(): Promise<LocalServers> {
  started ??= (async () => {
    const storageDir = await mkdtemp(join(tmpdir(), "hailuo-bench-s3-"));
    const [dynamo, s3] = await Promise.all([
      freePort().then((port) => startDynamoDbLocal({ port })),
      startS3ServerProcess(storageDir),
    ]);
    return { dynamoEndpoint: dynamo.endpoint, s3Endpoint: s3.url };
  })();
  return started;
}

/** A fresh table and bucket on the shared servers, named after the benchmark. */
export async function freshNamespace(
  prefix: string,
): Promise<LocalServers & { tableName: string; bucket: string }> {
  const servers = await localServers();
  sequence += 1;
  const suffix = `${Date.now().toString(36)}-${sequence}`;
  const tableName = `${prefix}-${suffix}-tasks`;
  const bucket = `${prefix}-${suffix}-media`;
  await ensureTable(new DynamoDBClient({ endpoint: servers.dynamoEndpoint, region, credentials }), tableName);
  await ensureBucket(
    new S3Client({ endpoint: servers.s3Endpoint, region, credentials, forcePathStyle: true }),
    bucket,
  );
  return { ...servers, tableName, bucket };
}
