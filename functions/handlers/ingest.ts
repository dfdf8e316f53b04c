import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { failedMessages, s3EventMessages } from "../adapters/sqs/s3-event-messages.js";
import { loadRuntime } from "../config/runtime.js";
import { ingestOptionsFrom } from "../core/inbox/ingest-options.js";
import { ingestObjects } from "../core/use-cases/ingest-objects.js";

const { deps, settings } = loadRuntime("ingest");
const options = ingestOptionsFrom(settings.environment);

/**
 * A batch of InboxQueue messages, each an S3 ObjectCreated event on inbox/: every image becomes a
 * task. Answers with the messages to deliver again (an object failed for a reason that may pass);
 * a rejected object got its inbox-errors/ report and its message is done.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
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
