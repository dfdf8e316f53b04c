import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { UpstreamRetryableError } from "../../core/errors.js";
import { fetchWithTimeouts } from "../http/fetch-with-timeouts.js";
import { classifyNetworkError } from "./classify-response.js";

/**
 * A finished video's download, for streaming: `headersMs` bounds the wait for the first byte,
 * `downloadMs` the whole copy. A failed answer is retryable: a fresh URL may do better.
 */
export async function openVideoStream(
  fetchImpl: typeof fetch,
  videoUrl: string,
  limits: { headersMs: number; downloadMs: number },
): Promise<Readable> {
  let response: Response;
  try {
    response = await fetchWithTimeouts(fetchImpl, videoUrl, {
      headersMs: limits.headersMs,
      signal: AbortSignal.timeout(limits.downloadMs),
    });
  } catch (error) {
    throw classifyNetworkError(error);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new UpstreamRetryableError(`video download answered ${response.status}`);
  }
  return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
}
