import { Readable } from "node:stream";
import { UpstreamRetryableError } from "../../core/errors.js";
import type { Download } from "../http/guarded-fetch.js";
import { classifyNetworkError } from "./classify-response.js";

/**
 * A finished video's download, for streaming, from byte `start` on (a resumed copy): `headersMs`
 * bounds the wait for the first byte (and any stall after), `downloadMs` the whole copy. A failed
 * answer is retryable: an expired download URL is not the task's fault, and a fresh URL may do better.
 */
export async function openVideoStream(
  download: Download,
  videoUrl: string,
  limits: { headersMs: number; downloadMs: number; start?: number },
): Promise<Readable> {
  const start = limits.start ?? 0;
  let answer: Awaited<ReturnType<Download>>;
  try {
    answer = await download(videoUrl, {
      ...(start > 0 ? { headers: { range: `bytes=${start}-` } } : {}),
      headersMs: limits.headersMs,
      signal: AbortSignal.timeout(limits.downloadMs),
    });
  } catch (error) {
    throw classifyNetworkError(error);
  }
  if (answer.status < 200 || answer.status > 299) {
    // Nobody reads this body: dropped, its abort is no error of anyone's.
    answer.body.on("error", () => {});
    answer.body.destroy();
    throw new UpstreamRetryableError(`video download answered ${answer.status}`);
  }
  // A server that ignores Range sends the whole video: the bytes already stored are skipped.
  return start > 0 && answer.status !== 206 ? skipBytes(answer.body, start) : answer.body;
}

function skipBytes(body: Readable, count: number): Readable {
  let toSkip = count;
  return Readable.from(
    (async function* () {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (toSkip >= chunk.length) {
          toSkip -= chunk.length;
          continue;
        }
        yield toSkip > 0 ? chunk.subarray(toSkip) : chunk;
        toSkip = 0;
      }
    })(),
  );
}
