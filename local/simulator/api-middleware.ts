import type { MiddlewareHandler } from "hono";
import { SimulatorHttpError } from "./errors.js";
import type { ResolvedSimulatorOptions } from "./simulator-options.js";

/**
 * Plays an upstream that answers `latencyMs` after a call arrives: the simulator's own work runs
 * within that time, as a remote service's runs within its latency, so that a benchmark's bound
 * (calls × latency) is what the upstream really takes. Work longer than it answers when done.
 */
export const addLatency =
  (latencyMs: number): MiddlewareHandler =>
  async (_context, next) => {
    if (latencyMs <= 0) return next();
    const answerAt = new Promise((resolve) => setTimeout(resolve, latencyMs));
    try {
      await next();
    } finally {
      await answerAt;
    }
  };

/** Plays a flaky upstream: a share of calls answer 429 (Retry-After: 1) or 500, half each. */
export const injectErrors =
  (options: Pick<ResolvedSimulatorOptions, "errorRate" | "random">): MiddlewareHandler =>
  async (_context, next) => {
    if (options.errorRate > 0 && options.random() < options.errorRate) {
      if (options.random() < 0.5) {
        throw new SimulatorHttpError(429, "Too many requests, please retry later", {
          headers: { "Retry-After": "1" },
        });
      }
      throw new SimulatorHttpError(500, "The service had an internal error, please retry");
    }
    await next();
  };

export const requireBearer =
  (apiKey: string | undefined): MiddlewareHandler =>
  async (context, next) => {
    const match = /^Bearer\s+(\S.*)$/i.exec(context.req.header("authorization") ?? "");
    const key = match?.[1]?.trim();
    if (!key) throw new SimulatorHttpError(401, "Missing API key: send Authorization: Bearer <key>");
    if (apiKey !== undefined && key !== apiKey) throw new SimulatorHttpError(401, "Invalid API key");
    await next();
  };
