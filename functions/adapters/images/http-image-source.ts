import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { ImageFetchError } from "../../core/errors.js";
import type { ImageSource } from "../../core/ports.js";
import { type UrlPolicy, urlProblem } from "../../core/url-policy.js";
import { fetchFailureOf } from "../http/fetch-failure.js";
import { fetchWithTimeouts } from "../http/fetch-with-timeouts.js";
import { createGuardedFetch } from "../http/guarded-fetch.js";

export type HttpImageSourceOptions = {
  /** How long to wait for the answer's headers. */
  timeoutMs: number;
  /** The whole download, headers to last byte. */
  downloadTimeoutMs: number;
  /** Every redirect target must pass the same URL policy as the URL the caller gave. */
  policy: UrlPolicy;
  maxRedirects?: number;
  /** Defaults to the guarded fetch of `policy`, which checks every address it connects to. */
  fetch?: typeof fetch;
};

/**
 * Opens callers' image URLs for streaming. Redirects are followed by hand, so that none can lead
 * to a host the URL policy forbids; 4xx answers are permanent, network errors, 408, 429 and 5xx not.
 */
export function createHttpImageSource(options: HttpImageSourceOptions): ImageSource {
  const fetchImpl = options.fetch ?? createGuardedFetch({ policy: options.policy });
  const maxRedirects = options.maxRedirects ?? 3;

  async function request(url: string, download: AbortSignal): Promise<Response> {
    try {
      return await fetchWithTimeouts(fetchImpl, url, {
        redirect: "manual",
        headers: { accept: "image/jpeg, image/png, image/webp;q=0.9, */*;q=0.1" },
        headersMs: options.timeoutMs,
        signal: download,
      });
    } catch (error) {
      const failure = fetchFailureOf(error);
      if (failure.kind === "forbidden") {
        throw new ImageFetchError(`the image URL is refused: ${failure.message}`, false, { cause: error });
      }
      const reason =
        failure.kind === "timeout" ? failure.message : `could not be reached (${failure.message})`;
      throw new ImageFetchError(`the image URL ${reason}`, true, { cause: error });
    }
  }

  return {
    async open(url) {
      const download = AbortSignal.timeout(options.downloadTimeoutMs);
      let current = url;
      for (let hop = 0; hop <= maxRedirects; hop++) {
        const response = await request(current, download);
        if (response.status >= 300 && response.status < 400) {
          await response.body?.cancel();
          current = redirectTarget(current, response, options.policy);
          continue;
        }
        if (!response.ok || !response.body) {
          await response.body?.cancel();
          const status = response.status;
          const retryable = status === 408 || status === 429 || status >= 500;
          throw new ImageFetchError(`the image URL answered HTTP ${status}`, retryable);
        }
        return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
      }
      throw new ImageFetchError(`the image URL redirects more than ${maxRedirects} times`, false);
    },
  };
}

function redirectTarget(from: string, response: Response, policy: UrlPolicy): string {
  const location = response.headers.get("location");
  if (!location) {
    throw new ImageFetchError(`the image URL answered HTTP ${response.status} without a Location`, false);
  }
  const target = new URL(location, from).toString();
  const problem = urlProblem(target, policy);
  if (problem) throw new ImageFetchError(`the image URL redirects to ${target}, which ${problem}`, false);
  return target;
}
