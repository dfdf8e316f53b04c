import { randomBytes } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { inject } from "vitest";

const region = "us-east-1";
const credentials = { accessKeyId: "local", secretAccessKey: "local" };

export function testDynamoEndpoint(): string {
  return endpoint("dynamoEndpoint", "TEST_DYNAMODB_ENDPOINT");
}

export function testS3Endpoint(): string {
  return endpoint("s3Endpoint", "TEST_S3_ENDPOINT");
}

/** A client for the shared DynamoDB Local of this test run. */
export function testDynamoClient(): DynamoDBClient {
  return new DynamoDBClient({ endpoint: testDynamoEndpoint(), region, credentials });
}

/** A client for the shared S3 server, or for `endpoint` (e.g. a notifying front before it). */
export function testS3Client(endpoint: string = testS3Endpoint()): S3Client {
  return new S3Client({
    endpoint,
    region,
    credentials,
    forcePathStyle: true,
    // Keeps presigned URLs free of checksum parameters a plain fetch cannot satisfy.
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
}

/**
 * A fresh name for a table or bucket: lowercase letters, digits and dashes, 3 to 63 characters,
 * starting with a letter, so it is valid as an S3 bucket name too.
 */
export function uniqueName(prefix: string): string {
  const cleaned = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 40);
  const suffix = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
  return `${cleaned || "t"}-${suffix}`.replace(/-+/g, "-");
}

function endpoint(key: "dynamoEndpoint" | "s3Endpoint", envName: string): string {
  let provided: string | undefined;
  try {
    provided = inject(key);
  } catch {
    // inject() only works inside a vitest worker; the environment variable covers the rest.
  }
  const value = provided ?? process.env[envName];
  if (!value) throw new Error(`${envName} is not set: run through vitest (test/support/global-setup.ts)`);
  return value;
}
