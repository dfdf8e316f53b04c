import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeVideo } from "../../local/media/probe-video.js";
import { exampleRequest } from "../../local/stack/example-request.js";
import { createLocalApp } from "../../local/stack/local-app.js";
import type { ReceivedWebhook } from "../../local/stack/webhook-inbox.js";
import { delivered, deliveryWhen, pollUntil } from "../support/run-poller-until.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

describe("the whole pipeline, end to end", () => {
  let stack: TestStack;
  let baseUrl: string;
  let webhooks: ReceivedWebhook[];
  let close: () => void;

  beforeAll(async () => {
    stack = await startTestStack({ simulator: { generationMs: 500 } });
    const local = createLocalApp(stack.deps, stack.settings, {
      webhookSecret: () => stack.tenant.webhookSecret,
      log: () => {},
    });
    webhooks = local.webhooks;
    const server = serve({ fetch: local.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((resolve) => server.once("listening", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(async () => {
    close?.();
    await stack?.close();
  });

  it("turns the public API's example request into a 6 s 1366×768 H.264 MP4 in S3 and a signed webhook", async () => {
    // Prepare: the example request of the public API, image and callback served locally.
    const request = exampleRequest(baseUrl);

    // Act: create over real HTTP, then let the poller work.
    const created = await fetch(`${baseUrl}/api/v1/videos/generations`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    const createdBody = (await created.json()) as { code: number; data: { task_id: string; status: string } };
    expect(created.status).toBe(200);
    expect(createdBody).toMatchObject({ code: 200, message: "success", data: { status: "IN_PROGRESS" } });
    const taskId = createdBody.data.task_id;
    await pollUntil(stack.deps, taskId, (task) => task.phase === "done" && task.announced === true);
    await stack.front.drain();
    await deliveryWhen(stack.deps, taskId, delivered);

    // Assess: the status answer…
    const status = await fetch(`${baseUrl}/api/v1/tasks/${taskId}`, {
      headers: { authorization: `Bearer ${stack.apiKey}` },
    });
    const statusBody = (await status.json()) as { data: Record<string, unknown> & { video_url: string } };
    expect(statusBody.data).toMatchObject({
      task_id: taskId,
      status: "completed",
      phase: "done",
      credits: 30,
      source: "api",
      duration: "6",
      resolution: "768P",
    });
    expect((statusBody.data.output as { video_url: string }).video_url).toBe(statusBody.data.video_url);

    // …the video, downloaded through its presigned URL and probed…
    const video = await probeVideo(statusBody.data.video_url);
    expect(video.codec).toBe("h264");
    expect(video.pixelFormat).toBe("yuv420p");
    expect(video.width).toBe(1366);
    expect(video.height).toBe(768);
    expect(video.durationSeconds).toBeCloseTo(6, 1);

    // …and the webhook, whose signature the inbox verified with the standardwebhooks library.
    const delivery = webhooks.find((webhook) => webhook.taskId === taskId);
    expect(delivery).toMatchObject({ type: "video.completed", status: "completed", verified: true });
    const [recorded] = await stack.deps.deliveries.listDeliveries(taskId);
    expect(recorded?.state).toBe("delivered");
    expect(recorded?.attempts[0]?.status).toBe(200);
    expect(JSON.parse(recorded?.body ?? "{}")).toMatchObject({
      data: { task_id: taskId, video_url: expect.any(String) },
    });

    // No status JSON beside it: that is the drop folder's answer (test/ingest/drop-folder-video.test.ts).
    const json = await fetch(await stack.deps.media.presignGet(`outputs/${taskId}.json`, 60));
    expect(json.status).toBe(404);
  });
});
