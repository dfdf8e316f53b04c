import type { MiddlewareHandler } from "hono";
import { SimulatorHttpError } from "./errors.js";

export type RateWindow = {
  /** Takes one request from this window's budget, or says how long until the next window opens. */
  take(nowMs: number): { ok: true } | { ok: false; retryAfterMs: number };
  /** Requests refused so far, for tests that count rate-limit answers. */
  refused(): number;
};

/**
 * A provider's requests-a-minute limit, as a fixed window (`windowMs`, a minute unless a test
 * shortens it). `limit` 0 means no limit. Counted on task creation, as providers count video
 * generations; queries are free.
 */
export const createRateWindow = (limit: number, windowMs: number): RateWindow => {
  let windowStart = 0;
  let used = 0;
  let refusals = 0;
  return {
    take(nowMs) {
      if (limit <= 0) return { ok: true };
      if (nowMs - windowStart >= windowMs) {
        windowStart = nowMs - ((nowMs - windowStart) % windowMs);
        used = 0;
      }
      if (used < limit) {
        used++;
        return { ok: true };
      }
      refusals++;
      return { ok: false, retryAfterMs: windowStart + windowMs - nowMs };
    },
    refused: () => refusals,
  };
};

/** The seed API's side of the limit: 429 with Retry-After (whole seconds) on creates past it. */
export const limitSeedCreates =
  (rate: RateWindow): MiddlewareHandler =>
  async (context, next) => {
    if (context.req.method === "POST") {
      const admitted = rate.take(Date.now());
      if (!admitted.ok) {
        throw new SimulatorHttpError(429, "Too many requests, please retry later", {
          headers: { "Retry-After": String(Math.max(1, Math.ceil(admitted.retryAfterMs / 1000))) },
        });
      }
    }
    await next();
  };
