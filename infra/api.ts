import { maxBodyBytes, sharedEnvironment } from "./deploy-settings";
import { functionDefaults } from "./function-defaults";
import { upstreamApiKey } from "./secrets";
import { bucket, table } from "./storage";

/**
 * The Hono app behind a Function URL rather than API Gateway v2: the app already routes and
 * authenticates (bearer keys in DynamoDB), a Function URL has no 30 s integration cap and no
 * per-request charge, and API Gateway would not lift the body limit, which is Lambda's 6 MB
 * synchronous payload either way. A data: URL image carries base64 (4/3 of the bytes), so images
 * over ~4.4 MB must be sent by https URL or through the inbox/ drop folder.
 *
 * 1024 MB: CPU scales with memory, and a create parses and decodes up to 6 MB of JSON and base64.
 * 30 s: a create may wait on one upstream call (UPSTREAM_TIMEOUT_MS, 15 s) after its DynamoDB
 * transaction and the S3 write of the image; if the upstream is slow the task stays queued.
 */
export const api = new sst.aws.Function("Api", {
  ...functionDefaults,
  handler: "functions/handlers/api.handler",
  url: true,
  memory: "1024 MB",
  timeout: "30 seconds",
  link: [table, bucket, upstreamApiKey],
  environment: { ...sharedEnvironment, MAX_BODY_BYTES: String(maxBodyBytes) },
});
