import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { ingestQueueBatch } from "../adapters/sqs/ingest-queue-batch.js";
import { loadRuntime } from "../config/runtime.js";

const { deps, settings, instrument } = loadRuntime("ingest");

/**
 * A batch of Inbox queue messages, each an S3 ObjectCreated event on inbox/: every image becomes a
 * task. Answers with the messages to deliver again; a rejected object got its inbox-errors/ report
 * and its message is done.
 */
export const handler = instrument(
  (event: SQSEvent): Promise<SQSBatchResponse> => ingestQueueBatch(deps, settings.ingest, event),
);
