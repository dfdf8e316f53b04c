import { GenerationFailedError } from "./errors.js";

export const maxImageBytes = 20 * 1024 * 1024;
const fetchTimeoutMs = 15_000;
const connectAttempts = 3;

const unreachable = (message: string, cause?: unknown): GenerationFailedError =>
  new GenerationFailedError("image_unreachable", message, { cause });

/** Bytes of a `data:image/...;base64,` URL. */
export const decodeDataUrl = (dataUrl: string): Buffer => {
  const comma = dataUrl.indexOf(",");
  const bytes = Buffer.from(dataUrl.slice(comma + 1), "base64");
  if (bytes.length > maxImageBytes) {
    throw new GenerationFailedError("invalid_image", "The image is larger than 20 MB");
  }
  return bytes;
};

/** Downloads the image; any network error, non-2xx answer or oversize body is `image_unreachable`. */
export const fetchImage = async (
  url: string,
  options: { fetch: typeof fetch; signal?: AbortSignal },
): Promise<Buffer> => {
  const signals = [AbortSignal.timeout(fetchTimeoutMs), ...(options.signal ? [options.signal] : [])];
  let response: Response | undefined;
  // A connection that fails outright is tried again, as providers do; an answer is taken as it is.
  for (let attempt = 1; response === undefined; attempt++) {
    try {
      response = await options.fetch(url, { signal: AbortSignal.any(signals), redirect: "follow" });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (attempt >= connectAttempts || AbortSignal.any(signals).aborted) {
        throw unreachable(`The image could not be downloaded: ${(error as Error).message}`, error);
      }
    }
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw unreachable(`The image could not be downloaded: HTTP ${response.status}`);
  }
  const declaredLength = Number(response.headers.get("content-length") ?? 0);
  if (declaredLength > maxImageBytes) {
    await response.body?.cancel();
    throw new GenerationFailedError("invalid_image", "The image is larger than 20 MB");
  }
  try {
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > maxImageBytes) {
      throw new GenerationFailedError("invalid_image", "The image is larger than 20 MB");
    }
    return bytes;
  } catch (error) {
    if (error instanceof GenerationFailedError || options.signal?.aborted) throw error;
    throw unreachable(`The image download broke off: ${(error as Error).message}`, error);
  }
};
