import type { TestProject } from "vitest/node";
import { startDynamoDbLocal } from "../../local/servers/dynamodb-local.js";
import { freePort } from "../../local/servers/free-port.js";
import { startS3Server } from "../../local/servers/s3-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    s3Endpoint: string;
  }
}

/**
 * One DynamoDB Local and one S3 server (both in memory) for the whole run; test files isolate
 * themselves with their own uniquely named tables and buckets.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [dynamo, s3] = await Promise.all([
    freePort().then((port) => startDynamoDbLocal({ port })),
    freePort().then((port) => startS3Server({ port })),
  ]);
  project.provide("dynamoEndpoint", dynamo.endpoint);
  project.provide("s3Endpoint", s3.endpoint);
  // Fallback for code that runs outside a test context (forked workers inherit the environment).
  process.env.TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.TEST_S3_ENDPOINT = s3.endpoint;

  return async () => {
    await Promise.allSettled([dynamo.stop(), s3.stop()]);
  };
}
