import type { LambdaContext, LambdaEvent } from "hono/aws-lambda";
import { handle } from "hono/aws-lambda";
import { loadRuntime } from "../config/runtime.js";
import { createApp } from "../http/create-app.js";

const { settings, deps, instrument } = loadRuntime("api");

const app = handle(
  createApp(deps, {
    maxBodyBytes: settings.environment.MAX_BODY_BYTES,
    idempotencyTtlSeconds: settings.environment.IDEMPOTENCY_TTL_SECONDS,
    minimaxModels: settings.environment.MINIMAX_MODEL_MAP,
  }),
);

export const handler = instrument((event: LambdaEvent, context) => app(event, context as LambdaContext));
