import type { S3Event } from "aws-lambda";
import { encodeS3EventKey } from "../../functions/adapters/s3/s3-event-keys.js";

export const s3ObjectCreatedEvents = {
  put: "ObjectCreated:Put",
  copy: "ObjectCreated:Copy",
  completeMultipartUpload: "ObjectCreated:CompleteMultipartUpload",
  /** A browser form upload (POST Object). */
  post: "ObjectCreated:Post",
} as const;

export type S3ObjectCreatedEventName = (typeof s3ObjectCreatedEvents)[keyof typeof s3ObjectCreatedEvents];

export type S3ObjectCreated = {
  eventName: S3ObjectCreatedEventName;
  bucket: string;
  /** The real (decoded) key; the record carries it encoded the way S3 does. */
  key: string;
  size: number;
  /** Without the surrounding quotes, as S3 puts it in events. */
  eTag: string;
  eventTime: Date;
  sequencer: string;
  requestId: string;
  hostId: string;
  sourceIpAddress: string;
};

const region = "us-east-1";

/** The event S3 sends for one notification configuration (`configurationId`), eventVersion 2.1. */
export function buildS3Event(created: S3ObjectCreated, configurationId: string): S3Event {
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: region,
        eventTime: created.eventTime.toISOString(),
        eventName: created.eventName,
        userIdentity: { principalId: "AWS:LOCAL" },
        requestParameters: { sourceIPAddress: created.sourceIpAddress },
        responseElements: { "x-amz-request-id": created.requestId, "x-amz-id-2": created.hostId },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId,
          bucket: {
            name: created.bucket,
            ownerIdentity: { principalId: "LOCAL" },
            arn: `arn:aws:s3:::${created.bucket}`,
          },
          object: {
            key: encodeS3EventKey(created.key),
            size: created.size,
            eTag: created.eTag,
            sequencer: created.sequencer,
          },
        },
      },
    ],
  };
}

let lastSequence = 0n;

/**
 * S3's sequencer is an opaque hex string that only orders events of the same key (compare as
 * strings after padding). Ours is microseconds since the epoch, strictly increasing in a process.
 */
export function nextSequencer(now: number = Date.now()): string {
  const candidate = BigInt(now) * 1000n;
  lastSequence = candidate > lastSequence ? candidate : lastSequence + 1n;
  return lastSequence.toString(16).toUpperCase().padStart(18, "0");
}
