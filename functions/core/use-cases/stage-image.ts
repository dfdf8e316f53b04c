import { pipeline } from "node:stream";
import type { Deps } from "../deps.js";
import { ImageFetchError, InvalidImageError } from "../errors.js";
import {
  checkImage,
  contentTypes,
  imageHeaderBytes,
  imageRules,
  imageSizeRule,
} from "../image/image-rules.js";
import { limitBytes, peekStream } from "../image/image-stream.js";
import { inputKey } from "../output-keys.js";
import type { ImageRef } from "../task/task.js";

/**
 * Copies a caller's image URL into `inputs/<taskId>` and checks it against the image rules, so the
 * upstream reads our validated copy (by presigned URL) and a bad image is refused by us, in words.
 * Streams: at most the header is held in memory. Throws InvalidImageError (the image breaks a rule)
 * or ImageFetchError (the URL could not be read; `retryable` says whether trying later may help).
 */
export async function stageRemoteImage(deps: Deps, taskId: string, url: string): Promise<ImageRef> {
  const body = await deps.images.open(url);
  let sourceFailed: unknown;
  body.once("error", (error) => {
    sourceFailed = error;
  });
  const { head, whole } = await peekStream(body, imageHeaderBytes).catch((error: unknown) => {
    throw new ImageFetchError("the image download broke off", true, { cause: error });
  });
  // The header alone decides format and dimensions; the size limit is enforced while streaming.
  const verdict = checkImage(head, head.length);
  if (!verdict.ok) {
    whole.destroy();
    throw new InvalidImageError(verdict.problem);
  }

  const key = inputKey(taskId);
  const contentType = contentTypes[verdict.info.format];
  const limit = limitBytes(imageRules.maxBytes);
  try {
    // pipeline, not pipe: a broken download must fail the upload, not leave it waiting.
    await deps.media.uploadStream(
      key,
      pipeline(whole, limit, () => {}),
      contentType,
    );
  } catch (error) {
    if (limit.exceeded) {
      throw new InvalidImageError(`the image is larger than that; ${imageSizeRule}`);
    }
    if (sourceFailed) throw new ImageFetchError("the image download broke off", true, { cause: error });
    throw error;
  }
  return { kind: "stored", key, contentType };
}
