import type { S3Event, SQSBatchItemFailure, SQSEvent } from "aws-lambda";
import { type CreatedObject, createdObjects } from "../s3/s3-event-keys.js";

/** One queued message: the objects its S3 event names, or why it could not be read as one. */
export type S3EventMessage = { messageId: string; objects: CreatedObject[]; unreadable?: string };

/** What ingestObjects answers per object; only `failed` sends a message round again. */
type ObjectOutcome = { key: string; eTag: string; outcome: string };

/**
 * The S3 event notifications an SQS batch carries: the bucket sends each event as one message
 * whose body is the event's JSON (`{"Records":[…]}`), keys form-encoded as always. The
 * `s3:TestEvent` S3 sends when the notification is set up names no object. A body that is no S3
 * event at all is `unreadable`: reported failed, it ends in the dead-letter queue to be looked at
 * instead of vanishing.
 */
export function s3EventMessages(event: SQSEvent): S3EventMessage[] {
  return (event.Records ?? []).map((record) => {
    const { messageId } = record;
    try {
      const body = JSON.parse(record.body) as { Event?: unknown; Records?: unknown };
      if (body.Event === "s3:TestEvent") return { messageId, objects: [] };
      if (!Array.isArray(body.Records)) {
        return { messageId, objects: [], unreadable: "the body is not an S3 event notification" };
      }
      return { messageId, objects: createdObjects(body as S3Event) };
    } catch (error) {
      return { messageId, objects: [], unreadable: `the body is not an S3 event: ${String(error)}` };
    }
  });
}

/**
 * The partial batch response: every message that is unreadable or names an object whose outcome is
 * `failed` (matched on key and ETag), so that SQS delivers those again and deletes the rest.
 */
export function failedMessages(
  messages: readonly S3EventMessage[],
  outcomes: readonly ObjectOutcome[],
): SQSBatchItemFailure[] {
  const failed = new Set(
    outcomes.filter((outcome) => outcome.outcome === "failed").map((outcome) => objectId(outcome)),
  );
  return messages
    .filter(
      (message) =>
        message.unreadable !== undefined || message.objects.some((object) => failed.has(objectId(object))),
    )
    .map((message) => ({ itemIdentifier: message.messageId }));
}

const objectId = (object: { key: string; eTag: string }) => JSON.stringify([object.key, object.eTag]);
