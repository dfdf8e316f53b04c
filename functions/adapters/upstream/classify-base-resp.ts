import {
  UpstreamPermanentError,
  UpstreamRateLimitedError,
  UpstreamRetryableError,
} from "../../core/errors.js";
import type { FailureCode } from "../../core/task/failure-codes.js";
import { parseRetryAfter } from "./retry-after.js";

/** MiniMax's passing failures: unknown, timeout, internal and system errors; rate, token, connection limits. */
export const retryableMinimaxCodes = new Set([1000, 1001, 1002, 1024, 1033, 1039, 1041, 2045]);
/**
 * Of those, the limits on how often and how much we ask (rate 1002, tokens, connections, rate
 * growth): the shared budget shrinks (see core/upstream-pace.ts).
 */
const rateLimitMinimaxCodes = new Set([1002, 1039, 1041, 2045]);

const permanentMinimaxCodes: Record<number, FailureCode> = {
  1004: "upstream_auth_failed",
  2049: "upstream_auth_failed",
  1008: "upstream_insufficient_balance",
  1026: "content_moderation",
  1027: "content_moderation",
  2013: "upstream_rejected",
  1042: "upstream_rejected",
};

export type BaseResp = { statusCode: number; message: string };

/** `base_resp` of a MiniMax answer, if it has a readable one. */
export function readBaseResp(body: unknown): BaseResp | undefined {
  const baseResp = (body as { base_resp?: unknown } | undefined)?.base_resp as
    | { status_code?: unknown; status_msg?: unknown }
    | undefined;
  if (!baseResp || typeof baseResp !== "object") return undefined;
  const code = Number(baseResp.status_code);
  if (!Number.isInteger(code)) return undefined;
  return { statusCode: code, message: typeof baseResp.status_msg === "string" ? baseResp.status_msg : "" };
}

/**
 * A non-zero `base_resp.status_code` as one of our two error classes; undefined for 0. Codes not
 * listed fail the task as `upstream_failed`, naming the code, so nothing MiniMax said is lost.
 */
export function classifyBaseResp(baseResp: BaseResp, retryAfter: string | null): Error | undefined {
  const { statusCode, message } = baseResp;
  if (statusCode === 0) return undefined;
  const words = `MiniMax ${statusCode}: ${message || "no message"}`;
  if (retryableMinimaxCodes.has(statusCode)) {
    const Retryable = rateLimitMinimaxCodes.has(statusCode)
      ? UpstreamRateLimitedError
      : UpstreamRetryableError;
    return new Retryable(words, parseRetryAfter(retryAfter));
  }
  return new UpstreamPermanentError(permanentMinimaxCodes[statusCode] ?? "upstream_failed", words);
}
