import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusKey, videoKey } from "../../functions/core/output-keys.js";
import { sweepDueWork } from "../../functions/core/use-cases/run-poller.js";
import { createApp } from "../../functions/http/create-app.js";
import { type LocalHttpServer, startLocalHttpServer } from "../support/local-http-server.js";
import { delivered, deliveryWhen } from "../support/run-poller-until.js";
import { makeJpeg } from "./support/images.js";
import { type InboxStack, inboxTenantId, startInboxStack } from "./support/ingest-stack.js";

describe("the drop folder, end to end with the simulator", () => {
  let stack: InboxStack;
  let hooks: LocalHttpServer;

  beforeAll(async () => {
    hooks = await startLocalHttpServer({ "/hooks": (_, response) => response.writeHead(204).end() });
    stack = await startInboxStack({ simulator: { generationMs: 200 }, callbackUrl: `${hooks.url}/hooks` });
  });
  afterAll(async () => {
    await stack?.close();
    await hooks?.close();
  });

  it("turns an image dropped into inbox/ into outputs/<task_id>.mp4 and .json", async () => {
    await stack.drop("inbox/e2e/cat photo.jpg", await makeJpeg(640, 360), { prompt: "the cat looks up" });
    const [recorded] = await stack.tasksOfInbox();
    expect(recorded).toMatchObject({
      tenantId: inboxTenantId,
      source: { kind: "inbox", key: "inbox/e2e/cat photo.jpg" },
    });
    const taskId = recorded?.id ?? "";

    const deadline = Date.now() + 45_000;
    let task = await stack.deps.tasks.getTask(taskId);
    while (
      !((task?.phase === "done" || task?.phase === "failed") && task.announced) &&
      Date.now() < deadline
    ) {
      await sweepDueWork(stack.deps, { limit: 10, concurrency: 2 });
      await stack.front.drain();
      await new Promise((resolve) => setTimeout(resolve, 150));
      task = await stack.deps.tasks.getTask(taskId);
    }

    expect(task?.phase).toBe("done");
    expect(await stack.exists(videoKey(taskId))).toBe(true);
    expect(await stack.readJson(statusKey(taskId))).toMatchObject({
      task_id: taskId,
      source: "inbox",
      status: "completed",
      source_key: "inbox/e2e/cat photo.jpg",
    });

    // The owner's default webhook, signed with the owner's secret.
    await deliveryWhen(stack.deps, taskId, delivered);
    expect(hooks.received).toHaveLength(1);
    const [delivery] = hooks.received;
    const headers = delivery?.headers as Record<string, string>;
    const payload = new Webhook(stack.inboxTenant.webhookSecret).verify(delivery?.body ?? "", headers);
    expect(payload).toMatchObject({ type: "video.completed", data: { task_id: taskId, source: "inbox" } });

    // And the owner's listing shows it, with where it came from.
    const app = createApp(stack.deps, { maxBodyBytes: 1024 * 1024, idempotencyTtlSeconds: 60 });
    const listing = await app.request("/api/v1/tasks", {
      headers: { authorization: `Bearer ${stack.inboxApiKey}` },
    });
    expect(await listing.json()).toMatchObject({
      data: {
        tasks: [
          { task_id: taskId, status: "completed", source: "inbox", source_key: "inbox/e2e/cat photo.jpg" },
        ],
      },
    });
  });
});
