import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { Deps } from "../../core/deps.js";
import type { IngestOptions } from "../../core/inbox/ingest-options.js";
import { ingestObjects } from "../../core/use-cases/ingest-objects.js";
import { failedMessages, s3EventMessages } from "./s3-event-messages.js";

/**
 * One batch of the inbox queue: every object its S3 events name goes through ingestObjects at once;
 * the answer names the messages to deliver again (an object failed for a reason that may pass). The
 * ingest handler on AWS and the local stack's S3 front both run this, so both retry alike.
 */
export async function ingestQueueBatch(
  deps: Deps,
  options: IngestOptions,
  event: SQSEvent,
): Promise<SQSBatchResponse> {
  const messages = s3EventMessages(event);
  for (const { messageId, unreadable } of messages) {
    if (unreadable) deps.logger.error("inbox message is not an S3 event", { messageId, unreadable });
  }
  const outcomes = await ingestObjects(
    deps,
    options,
    messages.flatMap((message) => message.objects),
  );
  return { batchItemFailures: failedMessages(messages, outcomes) };
}
