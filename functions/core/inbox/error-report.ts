import { createHash } from "node:crypto";
import { bucketLayout } from "../output-keys.js";

/** Stable codes of an object the drop folder refused; the message says the same in words. */
export const rejectionCodes = {
  notAnImage: "not_an_image",
  tooLarge: "image_too_large",
  invalidImage: "invalid_image",
  invalidSettings: "invalid_settings",
  insufficientCredits: "insufficient_credits",
  invalidRequest: "invalid_request",
} as const;
export type RejectionCode = (typeof rejectionCodes)[keyof typeof rejectionCodes];

export type InboxErrorReport = {
  key: string;
  etag: string;
  error: { code: RejectionCode; message: string };
  at: string;
};

/** S3 keys are at most 1,024 bytes of UTF-8. */
const maxKeyBytes = 1024;

/**
 * `inbox-errors/<the object's key>.json`: beside nothing it could trigger, since it is outside inbox/.
 * A key too long for that keeps its start and gets a hash of the whole, so it is still one per object.
 */
export function errorReportKey(objectKey: string): string {
  const prefix = bucketLayout.inboxErrorsPrefix;
  const suffix = ".json";
  const whole = `${prefix}${objectKey}${suffix}`;
  if (Buffer.byteLength(whole) <= maxKeyBytes) return whole;
  const hash = `~${createHash("sha256").update(objectKey).digest("hex").slice(0, 16)}`;
  const room = maxKeyBytes - Buffer.byteLength(prefix + hash + suffix);
  return `${prefix}${truncateUtf8(objectKey, room)}${hash}${suffix}`;
}

/** The longest start of `text` that fits in `bytes` bytes of UTF-8, never splitting a character. */
function truncateUtf8(text: string, bytes: number): string {
  let kept = "";
  let size = 0;
  for (const character of text) {
    const length = Buffer.byteLength(character);
    if (size + length > bytes) break;
    kept += character;
    size += length;
  }
  return kept;
}
