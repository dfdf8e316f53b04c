import { randomUUID } from "node:crypto";
import type { S3Event, SQSEvent } from "aws-lambda";
import { createdObjects } from "../../functions/adapters/s3/s3-event-keys.js";
import { ingestQueueBatch } from "../../functions/adapters/sqs/ingest-queue-batch.js";
import type { Settings } from "../../functions/config/settings.js";
import type { Deps } from "../../functions/core/deps.js";
import { bucketLayout } from "../../functions/core/output-keys.js";
import { completeVideos } from "../../functions/core/use-cases/complete-task.js";
import type { NotificationRule } from "../servers/s3-notifying-front.js";

/**
 * The bucket notifications of infra/notifications.ts, for the local S3 front: same prefixes and
 * suffix, same use cases as the notify and ingest handlers.
 */
export function notificationRules(deps: Deps, settings: Settings): NotificationRule[] {
  return [
    {
      name: "Notify",
      prefix: bucketLayout.outputsPrefix,
      suffix: bucketLayout.videoSuffix,
      deliver: (event) =>
        completeVideos(
          deps,
          createdObjects(event).map((object) => object.key),
        ),
    },
    {
      // On AWS the event reaches ingest as an Inbox queue message: here it is wrapped as one, so the
      // very batch code runs, and a message it names for redelivery is delivered again by the front.
      name: "Ingest",
      prefix: bucketLayout.inboxPrefix,
      deliver: async (event) => {
        const messageId = randomUUID();
        const { batchItemFailures } = await ingestQueueBatch(
          deps,
          settings.ingest,
          asQueueBatch(messageId, event),
        );
        if (batchItemFailures.length > 0) {
          throw new Error(`inbox event ${messageId} failed for a reason that may pass; delivering it again`);
        }
      },
    },
  ];
}

/** An S3 event as the one message of an SQS batch, as S3 → SQS → Lambda hands it over. */
function asQueueBatch(messageId: string, event: S3Event): SQSEvent {
  const record = {
    messageId,
    receiptHandle: messageId,
    body: JSON.stringify(event),
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(Date.now()),
      SenderId: "s3.amazonaws.com",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:Inbox",
    awsRegion: "us-east-1",
  };
  return { Records: [record] };
}
