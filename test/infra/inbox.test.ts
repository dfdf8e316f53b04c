import { describe, expect, it } from "vitest";
import { synthesize } from "./support/synthesize.js";
import {
  functionFor,
  handlerOfArn,
  handlers,
  type IamStatement,
  ofType,
  queueArn,
  queueOf,
  resourceTypes,
  settingsOf,
  theOne,
} from "./support/topology.js";

const fourteenDays = 14 * 24 * 3600;

describe("the inbox queue", () => {
  it("sends a message received 5 times without success to its dead-letter queue", async () => {
    const synthesis = await synthesize();
    const queue = queueOf(synthesis, "Inbox").inputs;
    expect(JSON.parse(queue.redrivePolicy ?? "null")).toEqual({
      deadLetterTargetArn: queueArn("InboxDeadLetters"),
      maxReceiveCount: 5,
    });
    expect(queue.fifoQueue).toBe(false);
  });

  it("keeps dead letters for 14 days, SQS's longest, longer than the queue itself keeps messages", async () => {
    const synthesis = await synthesize();
    const deadLetters = queueOf(synthesis, "InboxDeadLetters").inputs;
    const queue = queueOf(synthesis, "Inbox").inputs;
    expect(deadLetters.messageRetentionSeconds).toBe(fourteenDays);
    // SQS's default retention (4 days) applies to the queue when unset.
    expect(queue.messageRetentionSeconds ?? 4 * 24 * 3600).toBeLessThan(deadLetters.messageRetentionSeconds);
  });

  it("hides a message for at least 6 × ingest's timeout plus the batching window, as AWS advises", async () => {
    // Prepare
    const synthesis = await synthesize();
    const ingest = functionFor(synthesis, handlers.ingest);
    const mapping = theOne(synthesis, resourceTypes.eventSourceMapping).inputs;

    // Act
    const queue = queueOf(synthesis, "Inbox").inputs;

    // Assess
    expect(queue.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
      6 * ingest.lambda.inputs.timeout + mapping.maximumBatchingWindowInSeconds,
    );
  });
});

describe("ingest's subscription to the inbox queue", () => {
  it("feeds ingest batches of 10 after a short window, and deletes only the messages it did not name", async () => {
    // Act
    const synthesis = await synthesize();
    const mapping = theOne(synthesis, resourceTypes.eventSourceMapping).inputs;

    // Assess
    expect(mapping.eventSourceArn).toBe(queueArn("Inbox"));
    expect(handlerOfArn(synthesis, mapping.functionName)).toBe(handlers.ingest);
    expect(mapping.batchSize).toBe(10);
    expect(mapping.maximumBatchingWindowInSeconds).toBeGreaterThan(0);
    expect(mapping.maximumBatchingWindowInSeconds).toBeLessThanOrEqual(5);
    // Partial batch responses: functions/handlers/ingest.ts answers { batchItemFailures }.
    expect(mapping.functionResponseTypes).toEqual(["ReportBatchItemFailures"]);
  });

  it("runs at most 10 ingests at once: every inbox task's transaction updates the one owner tenant item", async () => {
    const mapping = theOne(await synthesize(), resourceTypes.eventSourceMapping).inputs;
    // Lambda accepts 2 to 1000.
    expect(mapping.scalingConfig).toEqual({ maximumConcurrency: 10 });
  });

  it("handles a whole batch in one round of ingest's object concurrency", async () => {
    const synthesis = await synthesize();
    const mapping = theOne(synthesis, resourceTypes.eventSourceMapping).inputs;
    const settings = settingsOf(functionFor(synthesis, handlers.ingest));
    // One S3 event per message, so a batch names at most batchSize objects.
    expect(mapping.batchSize).toBeLessThanOrEqual(settings.INBOX_CONCURRENCY);
  });

  it("lets ingest, and no other function, receive and delete the queue's messages", async () => {
    // Prepare
    const synthesis = await synthesize();
    const touchesInbox = (statements: IamStatement[]) =>
      statements.filter((statement) => statement.resources.includes(queueArn("Inbox")));

    // Act
    const ingest = touchesInbox(functionFor(synthesis, handlers.ingest).statements);
    const others = [handlers.api, handlers.poller, handlers.notify].flatMap((handler) =>
      touchesInbox(functionFor(synthesis, handler).statements),
    );

    // Assess
    expect(ingest.flatMap((statement) => statement.actions)).toEqual(
      expect.arrayContaining(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]),
    );
    expect(others).toEqual([]);
  });

  it("is the only event source mapping: ingest is not also invoked by S3 directly", async () => {
    const synthesis = await synthesize();
    expect(ofType(synthesis, resourceTypes.eventSourceMapping)).toHaveLength(1);
    const ingest = functionFor(synthesis, handlers.ingest);
    const s3Permissions = ofType(synthesis, "aws:lambda/permission:Permission").filter(
      (permission) => permission.inputs.principal === "s3.amazonaws.com",
    );
    for (const permission of s3Permissions) {
      expect(permission.inputs.function).not.toContain(ingest.built.functionID);
    }
  });
});
