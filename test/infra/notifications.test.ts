import { describe, expect, it } from "vitest";
import { bucketLayout } from "../../functions/core/output-keys.js";
import { synthesize } from "./support/synthesize.js";
import {
  functionFor,
  handlerOfArn,
  handlers,
  ofType,
  queueArn,
  resourceTypes,
  theOne,
} from "./support/topology.js";

type Route = { id: string; events: string[]; filterPrefix?: string; filterSuffix?: string };
type LambdaRoute = Route & { lambdaFunctionArn: string };
type QueueRoute = Route & { queueArn: string };

describe("the bucket's notifications", () => {
  it("queue inbox/ objects for ingest, send outputs/*.mp4 to notify, and nothing else", async () => {
    // Act
    const synthesis = await synthesize();
    const notification = theOne(synthesis, resourceTypes.bucketNotification).inputs;
    const toFunctions = (notification.lambdaFunctions as LambdaRoute[]).map((route) => ({
      events: route.events,
      prefix: route.filterPrefix,
      suffix: route.filterSuffix,
      handler: handlerOfArn(synthesis, route.lambdaFunctionArn),
    }));
    const toQueues = (notification.queues as QueueRoute[]).map((route) => ({
      events: route.events,
      prefix: route.filterPrefix,
      suffix: route.filterSuffix,
      queue: route.queueArn,
    }));

    // Assess: the same filters as functions/core/output-keys.ts and the local stack's S3 front.
    expect(toQueues).toEqual([
      {
        events: ["s3:ObjectCreated:*"],
        prefix: bucketLayout.inboxPrefix,
        suffix: undefined,
        queue: queueArn("Inbox"),
      },
    ]);
    expect(toFunctions).toEqual([
      {
        events: ["s3:ObjectCreated:*"],
        prefix: bucketLayout.outputsPrefix,
        suffix: bucketLayout.videoSuffix,
        handler: handlers.notify,
      },
    ]);
    expect(notification.topics ?? []).toEqual([]);
  });

  it("let only this bucket's S3 events into the inbox queue", async () => {
    // Prepare
    const synthesis = await synthesize();
    const [policy, ...others] = ofType(synthesis, resourceTypes.queuePolicy);
    expect(others).toEqual([]);

    // Act
    const { Statement } = JSON.parse(policy?.inputs.policy) as { Statement: unknown[] };

    // Assess: SST's own policy would let any bucket, topic or rule of any account send.
    expect(policy?.inputs.queueUrl).toMatch(/\/InboxQueue$/);
    expect(Statement).toEqual([
      {
        actions: ["sqs:SendMessage"],
        resources: [queueArn("Inbox")],
        principals: [{ type: "Service", identifiers: ["s3.amazonaws.com"] }],
        conditions: [
          {
            test: "ArnEquals",
            variable: "aws:SourceArn",
            values: [`arn:aws:s3:::${synthesis.outputs.bucket}`],
          },
        ],
      },
    ]);
  });

  it("hand notify's events, after Lambda's two retries, to a failure queue it may write", async () => {
    // Prepare
    const synthesis = await synthesize();
    const notify = functionFor(synthesis, handlers.notify);

    // Act
    const config = ofType(synthesis, resourceTypes.eventInvokeConfig).find(
      (candidate) => candidate.inputs.functionName === notify.lambda.inputs.name,
    );

    // Assess: a lost event is also finished by the poller (LEASE_MS after the copy); this makes it visible.
    expect(config?.inputs.maximumRetryAttempts).toBe(2);
    expect(config?.inputs.destinationConfig).toEqual({
      onFailure: { destination: queueArn("NotifyFailures") },
    });
    expect(notify.statements).toContainEqual(
      expect.objectContaining({ actions: ["sqs:SendMessage"], resources: [queueArn("NotifyFailures")] }),
    );
  });
});
