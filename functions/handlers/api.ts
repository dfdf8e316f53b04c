import type { LambdaContext, LambdaEvent } from "hono/aws-lambda";
import { handle } from "hono/aws-lambda";
import { loadRuntime } from "../config/runtime.js";
import { createApp } from "../http/create-app.js";
import { functionUrlOrigin } from "../http/function-url-origin.js";

const { settings, deps, instrument } = loadRuntime("api");

const app = handle(
  createApp(deps, {
    maxBodyBytes: settings.environment.MAX_BODY_BYTES,
    idempotencyTtlSeconds: settings.environment.IDEMPOTENCY_TTL_SECONDS,
    minimaxModels: settings.environment.MINIMAX_MODEL_MAP,
  }),
);

/**
 * The api cannot be given its own Function URL at deploy time (a cycle), so unless PUBLIC_BASE_URL
 * names one (a custom domain), it takes the URL from the first event: from then on the tasks it
 * submits get MiniMax's push and `content_url` like those of the poller and ingest, which infra
 * hands the URL.
 */
export const handler = instrument((event: LambdaEvent, context) => {
  deps.settings.publicBaseUrl ??= functionUrlOrigin(event);
  return app(event, context as LambdaContext);
});
