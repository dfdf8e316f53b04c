import type { Context } from "hono";
import {
  AuthenticationError,
  InsufficientCreditsError,
  InvalidRequestError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
} from "../../core/errors.js";

export const okResp = { status_code: 0, status_msg: "success" } as const;

/** A refusal in MiniMax's words, answered with HTTP 200 as MiniMax does. */
export class MinimaxFacadeRefusal extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = "MinimaxFacadeRefusal";
  }
}

/**
 * Our refusals as MiniMax's codes: bad key 1004, no credits 1008, bad parameters 2013, the tenant's
 * request rate (the same per-tenant limit as /api/v1) 1002 with Retry-After.
 */
export function toMinimaxError(error: Error, context: Context, log: (error: Error) => void) {
  const answer = (statusCode: number, message: string) =>
    context.json({ base_resp: { status_code: statusCode, status_msg: message } });
  if (error instanceof MinimaxFacadeRefusal) return answer(error.statusCode, error.message);
  if (error instanceof AuthenticationError) return answer(1004, `login fail: ${error.message}`);
  if (error instanceof RateLimitedError) {
    context.header("Retry-After", String(error.retryAfterSeconds));
    return answer(1002, `rate limit exceeded(RPM): ${error.message}`);
  }
  if (error instanceof InsufficientCreditsError)
    return answer(1008, `insufficient balance: ${error.message}`);
  if (error instanceof InvalidRequestError || error instanceof PayloadTooLargeError) {
    return answer(2013, `invalid params, ${error.message}`);
  }
  if (error instanceof NotFoundError) return answer(2013, `invalid params, ${error.message}`);
  log(error);
  return answer(1000, "unknown error; it has been logged");
}
