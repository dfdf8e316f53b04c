import {
  UpstreamAmbiguousError,
  UpstreamPermanentError,
  UpstreamRateLimitedError,
  UpstreamRetryableError,
} from "../../core/errors.js";
import { type FailureCode, isFailureCode } from "../../core/task/failure-codes.js";
import { fetchFailureOf } from "../http/fetch-failure.js";
import { parseRetryAfter } from "./retry-after.js";

/** Stable error codes of ours for what upstreams say in many ways. */
const permanentCodeByStatus: Record<number, FailureCode> = {
  400: "upstream_rejected",
  401: "upstream_auth_failed",
  402: "upstream_insufficient_balance",
  403: "upstream_auth_failed",
  404: "upstream_task_lost",
  413: "upstream_rejected",
  422: "upstream_rejected",
};

/**
 * Turns a non-2xx upstream answer into one of our two error classes: retryable (429, 5xx, 408)
 * or permanent with a stable code. Called once, here, for every upstream call.
 */
export function classifyFailure(
  status: number,
  body: unknown,
  retryAfter: string | null,
  request: RequestKind = "read",
): Error {
  const message = upstreamMessage(body) ?? `the upstream answered HTTP ${status}`;
  // A server that failed after reading a create may have started (and billed) the generation.
  if (request === "create" && status >= 500) {
    return new UpstreamAmbiguousError(`upstream ${status}: ${message}`, parseRetryAfter(retryAfter));
  }
  if (status === 429) {
    return new UpstreamRateLimitedError(`upstream ${status}: ${message}`, parseRetryAfter(retryAfter));
  }
  if (status === 408 || status >= 500) {
    return new UpstreamRetryableError(`upstream ${status}: ${message}`, parseRetryAfter(retryAfter));
  }
  const code = moderationLike(message)
    ? "content_moderation"
    : (permanentCodeByStatus[status] ?? "upstream_rejected");
  return new UpstreamPermanentError(code, message);
}

/** A create may cost money when its fate is unknown; a read never does. */
export type RequestKind = "read" | "create";

/** Network failures that happen before a byte of the request is sent: nothing can have been created. */
const notSentCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_BAD_PORT",
]);

export function classifyNetworkError(
  error: unknown,
  request: RequestKind = "read",
): UpstreamRetryableError | UpstreamPermanentError {
  const failure = fetchFailureOf(error);
  if (failure.kind === "forbidden") {
    // A provider's URL that leads to a private address will lead there again: fail, do not retry.
    return new UpstreamPermanentError("upstream_failed", `upstream URL refused: ${failure.message}`, {
      cause: error,
    });
  }
  const reason = failure.kind === "timeout" ? "timed out" : `unreachable (${failure.message})`;
  if (request === "create" && !notSentCodes.has(networkCodeOf(error))) {
    return new UpstreamAmbiguousError(`upstream ${reason} after the create was sent`, undefined, {
      cause: error,
    });
  }
  return new UpstreamRetryableError(`upstream ${reason}`, undefined, { cause: error });
}

export function upstreamMessage(body: unknown): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const record = body as Record<string, unknown>;
  const error = record.error as Record<string, unknown> | string | undefined;
  if (typeof error === "string") return error;
  if (error && typeof error.message === "string") return error.message;
  if (typeof record.message === "string" && record.message !== "success") return record.message;
  return undefined;
}

function moderationLike(message: string): boolean {
  return /moderat|sensitive|nsfw|policy/i.test(message);
}

/**
 * A generation's failure as one of our stable codes. A provider's own code is kept when it is one of
 * ours; any other is named in the message, so nothing it said is lost.
 */
export function stableFailure(code: unknown, message: string): { code: FailureCode; message: string } {
  if (typeof code === "string" && isFailureCode(code)) return { code, message };
  if (moderationLike(message)) return { code: "content_moderation", message };
  const raw = typeof code === "string" || typeof code === "number" ? String(code) : "";
  return { code: "upstream_failed", message: raw ? `${message} (upstream code ${raw})` : message };
}

/**
 * The system error code (ECONNREFUSED, …) somewhere in a fetch failure's cause chain, or "".
 * fetch refuses the ports the Fetch standard blocks before it connects, with no code: ERR_BAD_PORT.
 */
function networkCodeOf(error: unknown): string {
  for (let current = error, depth = 0; current && depth < 6; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === "string") return code;
    if (message === "bad port") return "ERR_BAD_PORT";
    current = (current as { cause?: unknown }).cause;
  }
  return "";
}
