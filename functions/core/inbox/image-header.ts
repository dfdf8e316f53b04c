import { detectImageFormat, readImageInfo } from "../image/image-info.js";
import { checkImage, type ImageVerdict, imageRules } from "../image/image-rules.js";
import type { MediaStore } from "../ports.js";
import { type RejectionCode, rejectionCodes } from "./error-report.js";

export type StoredImageVerdict =
  | Extract<ImageVerdict, { ok: true }>
  | { ok: false; code: RejectionCode; problem: string };

/** Enough for PNG and WebP, and for a JPEG whose size marker follows ordinary EXIF data. */
export const headerBytes = 64 * 1024;
/** A JPEG may carry up to 64 KB of EXIF (thumbnail) and more segments before its size marker. */
const jpegRetryBytes = 1024 * 1024;

/**
 * Checks an object against the image rules from its first bytes only (range GETs, pinned to the
 * ETag the event named, so the verdict is about that very version), never from its name.
 */
export async function checkStoredImage(
  media: MediaStore,
  object: { key: string; size: number; eTag: string },
): Promise<StoredImageVerdict> {
  if (object.size === 0) return { ok: false, code: rejectionCodes.notAnImage, problem: "the file is empty" };
  const read = (bytes: number) =>
    media.readRange(object.key, 0, Math.min(object.size, bytes) - 1, { ifMatch: object.eTag });
  let header = await read(headerBytes);
  const unreadJpeg = detectImageFormat(header) === "jpeg" && readImageInfo(header) === undefined;
  if (unreadJpeg && object.size > header.length) header = await read(jpegRetryBytes);
  const verdict = checkImage(header, object.size);
  if (verdict.ok) return verdict;
  const code =
    object.size > imageRules.maxBytes
      ? rejectionCodes.tooLarge
      : detectImageFormat(header) === undefined
        ? rejectionCodes.notAnImage
        : rejectionCodes.invalidImage;
  return { ok: false, code, problem: verdict.problem };
}
