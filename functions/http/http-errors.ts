import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  AuthenticationError,
  IdempotencyConflictError,
  InsufficientCreditsError,
  InvalidRequestError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  TaskStateError,
} from "../core/errors.js";

export const errorTypes = [
  "invalid_request",
  "authentication_error",
  "insufficient_credits",
  "not_found",
  "idempotency_conflict",
  "conflict",
  "payload_too_large",
  "rate_limit_exceeded",
  "internal_error",
] as const;
export type ErrorType = (typeof errorTypes)[number];

export type ErrorBody = { error: { code: number; message: string; type: ErrorType } };

export function errorBody(code: number, type: ErrorType, message: string): ErrorBody {
  return { error: { code, message, type } };
}

const mapping: [new (...args: never[]) => Error, number, ErrorType][] = [
  [InvalidRequestError, 400, "invalid_request"],
  [AuthenticationError, 401, "authentication_error"],
  [InsufficientCreditsError, 402, "insufficient_credits"],
  [NotFoundError, 404, "not_found"],
  [IdempotencyConflictError, 409, "idempotency_conflict"],
  [TaskStateError, 409, "conflict"],
  [PayloadTooLargeError, 413, "payload_too_large"],
  [RateLimitedError, 429, "rate_limit_exceeded"],
];

/** The one place every error becomes the public API's error body, with HTTP status = error.code. */
export function toErrorResponse(error: Error, context: Context, log: (error: Error) => void) {
  for (const [type, code, name] of mapping) {
    if (error instanceof type) {
      if (error instanceof RateLimitedError) context.header("Retry-After", String(error.retryAfterSeconds));
      return context.json(errorBody(code, name, error.message), code as ContentfulStatusCode);
    }
  }
  if (error instanceof HTTPException && error.status < 500) {
    const type: ErrorType = error.status === 413 ? "payload_too_large" : "invalid_request";
    return context.json(errorBody(error.status, type, error.message || "bad request"), error.status);
  }
  log(error);
  return context.json(errorBody(500, "internal_error", "internal error; it has been logged"), 500);
}
