import { createMiddleware } from "hono/factory";
import type { Deps } from "../core/deps.js";
import { admitRequest } from "../core/rate-limit.js";
import type { AuthenticatedEnv } from "./authenticate.js";

/**
 * Per-tenant requests per minute, counted in DynamoDB so every api instance shares the count. Runs
 * after authenticate and before any route: a refused request (429, Retry-After) reads no body,
 * creates nothing and costs no credit.
 */
export function rateLimit(deps: Pick<Deps, "rateLimits" | "clock" | "settings">) {
  return createMiddleware<AuthenticatedEnv>(async (context, next) => {
    await admitRequest(deps, context.get("tenant"));
    await next();
  });
}
