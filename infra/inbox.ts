import { apiPublicBaseUrl } from "./api";
import { inboxEnvironment, sharedEnvironment } from "./deploy-settings";
import { functionDefaults } from "./function-defaults";
import { deleteIn } from "./link-policies";
import { minimaxApiKey, upstreamApiKey } from "./secrets";
import { bucket, table } from "./storage";

/**
 * The drop folder's path: S3 ObjectCreated on inbox/ → InboxQueue → ingest. A queue, not S3's
 * direct Lambda invocation: that one retries twice and then drops the event, while a message stays
 * in the queue until ingest has handled its objects, and lands in InboxDeadLetters after
 * `maxReceives` failed tries, where it waits to be looked at or redriven.
 */

/**
 * Per batch: each object's HEAD and range GET, a settings lookup, a server-side copy to inputs/,
 * one DynamoDB transaction and one upstream create (UPSTREAM_TIMEOUT_MS, 15 s). A batch of up to
 * `batchSize` objects runs at once (INBOX_CONCURRENCY 16 ≥ 10), so it takes one such round: 60 s
 * is ample.
 */
export const ingestTimeoutSeconds = 60;
export const inboxBatch = { size: 10, windowSeconds: 2 } as const;
/** A message received this often without being handled goes to the dead-letter queue. */
export const maxReceives = 5;
/**
 * At most this many ingest invocations at once, whatever the backlog: every inbox task's
 * transaction charges the one owner tenant's item, and concurrent transactions on one item
 * conflict (TransactionConflict) and would only burn retries. 10 batches × 10 objects is still
 * far more tasks per second than the upstream takes.
 */
export const ingestMaxConcurrency = 10;

/** 14 days, SQS's longest retention: time to notice and redrive. */
const deadLetterRetentionSeconds = 14 * 24 * 3600;

export const inboxDeadLetters = new sst.aws.Queue("InboxDeadLetters", {
  transform: { queue: { messageRetentionSeconds: deadLetterRetentionSeconds } },
});

export const inboxQueue = new sst.aws.Queue("Inbox", {
  // AWS's advice for a Lambda-subscribed queue: at least 6 × the function's timeout plus the
  // batching window, so a message is not handed out again while a (retried) invocation still holds it.
  visibilityTimeout: `${6 * ingestTimeoutSeconds + inboxBatch.windowSeconds} seconds`,
  dlq: { queue: inboxDeadLetters.arn, retry: maxReceives },
});

export const ingest = inboxQueue.subscribe(
  {
    ...functionDefaults,
    handler: "functions/handlers/ingest.handler",
    memory: "512 MB",
    timeout: `${ingestTimeoutSeconds} seconds`,
    link: [table, bucket, upstreamApiKey, minimaxApiKey],
    permissions: [deleteIn(bucket, "inputsPrefix", "inboxErrorsPrefix")],
    environment: { ...sharedEnvironment, ...inboxEnvironment, PUBLIC_BASE_URL: apiPublicBaseUrl },
  },
  {
    batch: {
      size: inboxBatch.size,
      window: `${inboxBatch.windowSeconds} seconds`,
      // The handler names the messages whose objects failed; the others are deleted.
      partialResponses: true,
    },
    transform: {
      eventSourceMapping: { scalingConfig: { maximumConcurrency: ingestMaxConcurrency } },
    },
  },
);
