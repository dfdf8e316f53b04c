import type { SQSEvent, SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { failedMessages, s3EventMessages } from "../../functions/adapters/sqs/s3-event-messages.js";

/**
 * What InboxQueue hands ingest: SQS records (shape of AWS's "Using Lambda with Amazon SQS" example)
 * whose bodies are S3 event notifications (shape of S3's "Event message structure", version 2.1),
 * exactly as S3 writes them: one event per message, the key form-encoded.
 */
function s3Event(key: string, eTag: string, eventName = "ObjectCreated:Put") {
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: "us-east-1",
        eventTime: "2025-03-14T09:26:53.589Z",
        eventName,
        userIdentity: { principalId: "AWS:AIDAJDPLRKLG7UEXAMPLE" },
        requestParameters: { sourceIPAddress: "203.0.113.17" },
        responseElements: {
          "x-amz-request-id": "C3D13FE58DE4C810",
          "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
        },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "Inbox",
          bucket: {
            name: "hailuo-prod-mediabucket-abcd",
            ownerIdentity: { principalId: "A3NL1KOZZKExample" },
            arn: "arn:aws:s3:::hailuo-prod-mediabucket-abcd",
          },
          object: { key, size: 48213, eTag, sequencer: "0055AED6DCD90281E5" },
        },
      },
    ],
  };
}

const testEvent = {
  Service: "Amazon S3",
  Event: "s3:TestEvent",
  Time: "2025-03-14T09:20:02.089Z",
  Bucket: "hailuo-prod-mediabucket-abcd",
  RequestId: "5582815E1AEA5ADF",
  HostId: "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
};

function sqsRecord(messageId: string, body: unknown): SQSRecord {
  return {
    messageId,
    receiptHandle: `AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a${messageId}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1741944413611",
      SenderId: "AIDAJHIPRHEMV73VRJEBU",
      ApproximateFirstReceiveTimestamp: "1741944413615",
    },
    messageAttributes: {},
    md5OfBody: "e4e68fb7bd0e697a0ae8f1bb342846b3",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:hailuo-prod-InboxQueue-abcd",
    awsRegion: "us-east-1",
  };
}

const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

describe("s3EventMessages", () => {
  it("unwraps each message's S3 event into its objects, keys decoded", () => {
    // Prepare
    const event = batch(
      sqsRecord("m-1", s3Event("inbox/my+photo%2B1+%C3%A9.jpg", "9b2cf535f27731c974343645a3985328")),
      sqsRecord("m-2", s3Event("inbox/batch-7/cat.png", "0c5ab3f5c2a94bd1f7a8d1e2f3a4b5c6")),
    );

    // Act
    const messages = s3EventMessages(event);

    // Assess
    expect(messages).toEqual([
      {
        messageId: "m-1",
        objects: [
          {
            bucket: "hailuo-prod-mediabucket-abcd",
            key: "inbox/my photo+1 é.jpg",
            size: 48213,
            eTag: "9b2cf535f27731c974343645a3985328",
            eventName: "ObjectCreated:Put",
          },
        ],
      },
      {
        messageId: "m-2",
        objects: [
          {
            bucket: "hailuo-prod-mediabucket-abcd",
            key: "inbox/batch-7/cat.png",
            size: 48213,
            eTag: "0c5ab3f5c2a94bd1f7a8d1e2f3a4b5c6",
            eventName: "ObjectCreated:Put",
          },
        ],
      },
    ]);
  });

  it("skips S3's test event: it names no object and is not a failure", () => {
    const messages = s3EventMessages(batch(sqsRecord("m-test", testEvent)));
    expect(messages).toEqual([{ messageId: "m-test", objects: [] }]);
    expect(failedMessages(messages, [])).toEqual([]);
  });

  it("keeps only ObjectCreated records", () => {
    const messages = s3EventMessages(
      batch(sqsRecord("m-removed", s3Event("inbox/gone.jpg", "abc", "ObjectRemoved:Delete"))),
    );
    expect(messages).toEqual([{ messageId: "m-removed", objects: [] }]);
  });

  it("marks a body that is no S3 event unreadable, so that it is retried into the dead-letter queue", () => {
    // Act
    const messages = s3EventMessages(
      batch(sqsRecord("m-text", "hello"), sqsRecord("m-json", { something: "else" })),
    );

    // Assess
    expect(
      messages.map((message) => [message.messageId, message.objects, typeof message.unreadable]),
    ).toEqual([
      ["m-text", [], "string"],
      ["m-json", [], "string"],
    ]);
    expect(failedMessages(messages, [])).toEqual([
      { itemIdentifier: "m-text" },
      { itemIdentifier: "m-json" },
    ]);
  });
});

describe("failedMessages", () => {
  const messages = s3EventMessages(
    batch(
      sqsRecord("m-created", s3Event("inbox/a.jpg", "e-a")),
      sqsRecord("m-failed", s3Event("inbox/b.jpg", "e-b")),
      sqsRecord("m-rejected", s3Event("inbox/c.txt", "e-c")),
      sqsRecord("m-old-version", s3Event("inbox/d.jpg", "e-d1")),
      sqsRecord("m-new-version", s3Event("inbox/d.jpg", "e-d2")),
      sqsRecord("m-test", testEvent),
    ),
  );

  it("names exactly the messages one of whose objects failed for a reason that may pass", () => {
    // Act
    const failures = failedMessages(messages, [
      { key: "inbox/a.jpg", eTag: "e-a", outcome: "created" },
      { key: "inbox/b.jpg", eTag: "e-b", outcome: "failed" },
      { key: "inbox/c.txt", eTag: "e-c", outcome: "rejected" },
      { key: "inbox/d.jpg", eTag: "e-d1", outcome: "skipped" },
      { key: "inbox/d.jpg", eTag: "e-d2", outcome: "failed" },
    ]);

    // Assess: a rejected object has its inbox-errors/ report; retrying it would change nothing.
    expect(failures).toEqual([{ itemIdentifier: "m-failed" }, { itemIdentifier: "m-new-version" }]);
  });

  it("names none when every object was created, a duplicate, skipped or rejected", () => {
    const failures = failedMessages(messages, [
      { key: "inbox/a.jpg", eTag: "e-a", outcome: "created" },
      { key: "inbox/b.jpg", eTag: "e-b", outcome: "duplicate" },
      { key: "inbox/c.txt", eTag: "e-c", outcome: "rejected" },
      { key: "inbox/d.jpg", eTag: "e-d1", outcome: "skipped" },
      { key: "inbox/d.jpg", eTag: "e-d2", outcome: "created" },
    ]);
    expect(failures).toEqual([]);
  });
});
