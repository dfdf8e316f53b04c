import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { UpstreamRetryableError } from "../../core/errors.js";
import { fetchWithTimeouts } from "../http/fetch-with-timeouts.js";
import { classifyNetworkError } from "./classify-response.js";

/**
 * A finished video's download, for streaming, from byte `start` on (a resumed copy): `headersMs`
 * bounds the wait for the first byte, `downloadMs` the whole copy. A failed answer is retryable:
 * an expired download URL is not the task's fault, and a fresh URL may do better.
 */
export async function openVideoStream(
  fetchImpl: typeof fetch,
  videoUrl: string,
  limits: { headersMs: number; downloadMs: number; start?: number },
): Promise<Readable> {
  const start = limits.start ?? 0;
  let response: Response;
  try {
    response = await fetchWithTimeouts(fetchImpl, videoUrl, {
      ...(start > 0 ? { headers: { range: `bytes=${start}-` } } : {}),
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
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  // A server that ignores Range sends the whole video: the bytes already stored are skipped.
  return start > 0 && response.status !== 206 ? Readable.from(skipBytes(start)(body)) : body;
}

function skipBytes(count: number) {
  return async function* (source: AsyncIterable<Buffer>) {
    let toSkip = count;
    for await (const chunk of source) {
      if (toSkip >= chunk.length) {
        toSkip -= chunk.length;
        continue;
      }
      yield toSkip > 0 ? chunk.subarray(toSkip) : chunk;
      toSkip = 0;
    }
  };
}
