import { type S3ObjectCreatedEventName, s3ObjectCreatedEvents } from "./s3-event-record.js";

/** What an event says of the object: its size and its ETag without quotes. */
export type ObjectVersion = { size: number; eTag: string };

type Headers = Record<string, string | string[] | undefined>;

/** CopyObject and CompleteMultipartUpload say their ETag (or an error) in the body of a 200. */
export function answersInBody(eventName: S3ObjectCreatedEventName): boolean {
  return (
    eventName === s3ObjectCreatedEvents.copy || eventName === s3ObjectCreatedEvents.completeMultipartUpload
  );
}

/** PutObject and POST Object answer with an `ETag` header. */
export function eTagFromHeaders(headers: Headers): string | undefined {
  const value = first(headers.etag);
  return value ? unquote(value) : undefined;
}

/**
 * The size of a PutObject's object, from its request: the decoded length when the body is
 * aws-chunked (its content-length counts the chunk signatures too), else the content-length.
 * `undefined` when the request does not say (a chunked upload) or for other writes, whose
 * body is not the object.
 */
export function sizeFromRequest(eventName: S3ObjectCreatedEventName, headers: Headers): number | undefined {
  if (eventName !== s3ObjectCreatedEvents.put) return undefined;
  const decoded = first(headers["x-amz-decoded-content-length"]);
  if (decoded !== undefined) return byteCount(decoded);
  if (/aws-chunked/i.test(first(headers["content-encoding"]) ?? "")) return undefined;
  const length = first(headers["content-length"]);
  return length === undefined ? undefined : byteCount(length);
}

/**
 * Reads the body of a CopyObject or CompleteMultipartUpload answer: S3 can send a 200 whose body
 * is an `<Error>` (the write failed), otherwise the body names the new ETag. A body cut off before
 * its `<ETag>` leaves the ETag unknown.
 */
export function readResultBody(body: Buffer): { failed: true } | { failed: false; eTag: string | undefined } {
  const text = body.toString("utf8");
  if (/<Error>/.test(text)) return { failed: true };
  const eTag = /<ETag>([^<]*)<\/ETag>/.exec(text)?.[1];
  return { failed: false, eTag: eTag === undefined ? undefined : unquote(unescapeXml(eTag)) };
}

/**
 * Completes what a write's own answer told (`known`) with a later HEAD of its key (`current`,
 * `undefined` when the key is gone). When the key was replaced or deleted since, this version's
 * size can no longer be learned and is 0; the event still goes out, as S3 would have sent it.
 * Without a known ETag (the answer was cut off) the HEAD is all there is.
 */
export function completeVersion(
  known: Partial<ObjectVersion>,
  current: ObjectVersion | undefined,
): { version: ObjectVersion | undefined; sizeLost: boolean } {
  if (known.eTag === undefined) return { version: current, sizeLost: false };
  if (known.size !== undefined) return { version: { eTag: known.eTag, size: known.size }, sizeLost: false };
  if (current?.eTag === known.eTag) return { version: current, sizeLost: false };
  return { version: { eTag: known.eTag, size: 0 }, sizeLost: true };
}

export function unquote(eTag: string): string {
  return eTag.replace(/^"|"$/g, "");
}

function unescapeXml(text: string): string {
  return text
    .replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

function byteCount(value: string): number | undefined {
  const count = Number(value);
  return Number.isSafeInteger(count) && count >= 0 ? count : undefined;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
