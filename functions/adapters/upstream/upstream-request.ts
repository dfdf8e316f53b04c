import { classifyNetworkError, type RequestKind } from "./classify-response.js";

export type UpstreamRequestOptions = {
  fetch: typeof fetch;
  apiKey: string;
  /** Reads wait `timeoutMs`; a create waits `createTimeoutMs` (longer: its fate must not be cut short). */
  timeoutMs: number;
  createTimeoutMs?: number | undefined;
};

export type UpstreamAnswer = { response: Response; text: string };

/**
 * One JSON call to a provider, with its key and the timeout of its kind, read to the end of its
 * body. A failure before or while the answer comes is classified once (classify-response.ts): not
 * sent, retryable, or, for a create, ambiguous. Judging the answer is each provider's own.
 */
export async function sendUpstreamRequest(
  url: string,
  init: RequestInit,
  request: RequestKind,
  options: UpstreamRequestOptions,
): Promise<UpstreamAnswer> {
  const timeoutMs = request === "create" ? (options.createTimeoutMs ?? options.timeoutMs) : options.timeoutMs;
  try {
    const response = await options.fetch(url, {
      ...init,
      headers: {
        authorization: `Bearer ${options.apiKey}`,
        "content-type": "application/json",
        accept: "application/json",
      },
      signal: AbortSignal.timeout(timeoutMs),
    });
    // A body that breaks off (or times out) after the answer began: the request was surely read.
    return { response, text: await response.text() };
  } catch (error) {
    throw classifyNetworkError(error, request);
  }
}
