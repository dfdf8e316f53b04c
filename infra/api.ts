import {
  apiReservedConcurrency,
  deployPublicBaseUrl,
  maxBodyBytes,
  sharedEnvironment,
} from "./deploy-settings";
import { functionDefaults } from "./function-defaults";
import { deleteIn } from "./link-policies";
import { minimaxApiKey, upstreamApiKey } from "./secrets";
import { bucket, table } from "./storage";

/**
 * The Hono app behind a Function URL rather than API Gateway v2: the app already routes and
 * authenticates (bearer keys in DynamoDB), a Function URL has no 30 s integration cap and no
 * per-request charge, and API Gateway would not lift the body limit, which is Lambda's 6 MB
 * synchronous payload either way. A data: URL image carries base64 (4/3 of the bytes), so images
 * over ~4.4 MB must be sent by https URL or through the inbox/ drop folder.
 *
 * 1024 MB: CPU scales with memory, and a create parses and decodes up to 6 MB of JSON and base64.
 * 60 s: a create may download the caller's image URL into inputs/ (IMAGE_DOWNLOAD_TIMEOUT_MS,
 * 30 s), record the task, then wait on one upstream call (UPSTREAM_TIMEOUT_MS, 15 s); if the
 * upstream is slow the task stays queued for the poller.
 * Reserved concurrency is the URL's throttle (deploy-settings.ts says why and how to lift it).
 */
export const api = new sst.aws.Function("Api", {
  ...functionDefaults,
  handler: "functions/handlers/api.handler",
  url: true,
  memory: "1024 MB",
  timeout: "60 seconds",
  ...(apiReservedConcurrency === undefined ? {} : { concurrency: { reserved: apiReservedConcurrency } }),
  link: [table, bucket, upstreamApiKey, minimaxApiKey],
  permissions: [deleteIn(bucket, "inputsPrefix")],
  environment: {
    ...sharedEnvironment,
    MAX_BODY_BYTES: String(maxBodyBytes),
    ...(deployPublicBaseUrl ? { PUBLIC_BASE_URL: deployPublicBaseUrl } : {}),
  },
});

/**
 * The api's public origin for the other functions (MiniMax's callback URLs of the tasks they submit,
 * `content_url` in webhooks): DEPLOY_PUBLIC_BASE_URL, else the Function URL. The api cannot be given
 * its own URL (a cycle); it reads its host from each request instead (handlers/api.ts).
 */
export const apiPublicBaseUrl = deployPublicBaseUrl ?? api.url.apply((url) => url.replace(/\/+$/, ""));
