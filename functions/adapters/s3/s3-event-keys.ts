import type { S3Event } from "aws-lambda";

/**
 * S3 event records carry the object key form-urlencoded (application/x-www-form-urlencoded, as
 * Java's URLEncoder does it: space becomes `+`, only `A-Z a-z 0-9 - _ . *` stay literal) except that
 * `/` is kept. So `inbox/my photo+1 é.jpg` arrives as `inbox/my+photo%2B1+%C3%A9.jpg`, and consumers
 * decode with `decodeURIComponent(key.replace(/\+/g, " "))`.
 */
export function encodeS3EventKey(key: string): string {
  return key.split("/").map(encodeSegment).join("/");
}

/** Inverse of {@link encodeS3EventKey}; what a Lambda handler does to get the real key back. */
export function decodeS3EventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, " "));
}

function encodeSegment(segment: string): string {
  // encodeURIComponent also leaves `! ' ( ) ~` alone, which form encoding escapes.
  return encodeURIComponent(segment)
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

export type CreatedObject = { bucket: string; key: string; size: number; eTag: string; eventName: string };

/** The objects an S3 ObjectCreated event speaks of, keys decoded. */
export function createdObjects(event: S3Event): CreatedObject[] {
  return (event.Records ?? [])
    .filter((record) => record.eventName?.startsWith("ObjectCreated:"))
    .map((record) => ({
      bucket: record.s3.bucket.name,
      key: decodeS3EventKey(record.s3.object.key),
      size: record.s3.object.size,
      eTag: (record.s3.object.eTag ?? "").replace(/"/g, ""),
      eventName: record.eventName,
    }));
}
