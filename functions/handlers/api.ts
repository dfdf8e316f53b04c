import { handle } from "hono/aws-lambda";
import { loadRuntime } from "../config/runtime.js";
import { createApp } from "../http/create-app.js";

const { settings, deps } = loadRuntime("api");

export const handler = handle(
  createApp(deps, {
    maxBodyBytes: settings.environment.MAX_BODY_BYTES,
    idempotencyTtlSeconds: settings.environment.IDEMPOTENCY_TTL_SECONDS,
    minimaxModels: settings.environment.MINIMAX_MODEL_MAP,
  }),
);
