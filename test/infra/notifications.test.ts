import { describe, expect, it } from "vitest";
import { bucketLayout } from "../../functions/core/output-keys.js";
import { synthesize } from "./support/synthesize.js";
import { handlerOfArn, handlers, resourceTypes, theOne } from "./support/topology.js";

type LambdaNotification = {
  id: string;
  events: string[];
  filterPrefix?: string;
  filterSuffix?: string;
  lambdaFunctionArn: string;
};

describe("the bucket's notifications", () => {
  it("send inbox/ objects to ingest and outputs/*.mp4 to notify, and nothing else", async () => {
    // Act
    const synthesis = await synthesize();
    const notification = theOne(synthesis, resourceTypes.bucketNotification).inputs;
    const routes = (notification.lambdaFunctions as LambdaNotification[]).map((route) => ({
      events: route.events,
      prefix: route.filterPrefix,
      suffix: route.filterSuffix,
      handler: handlerOfArn(synthesis, route.lambdaFunctionArn),
    }));

    // Assess: the same filters as functions/core/output-keys.ts and the local stack's S3 front.
    expect(routes).toEqual([
      {
        events: ["s3:ObjectCreated:*"],
        prefix: bucketLayout.inboxPrefix,
        suffix: undefined,
        handler: handlers.ingest,
      },
      {
        events: ["s3:ObjectCreated:*"],
        prefix: bucketLayout.outputsPrefix,
        suffix: bucketLayout.videoSuffix,
        handler: handlers.notify,
      },
    ]);
    expect(notification.queues ?? []).toEqual([]);
    expect(notification.topics ?? []).toEqual([]);
  });
});
