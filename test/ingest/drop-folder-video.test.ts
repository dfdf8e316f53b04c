import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusKey, videoKey } from "../../functions/core/output-keys.js";
import { sweepDueWork } from "../../functions/core/use-cases/run-poller.js";
import { makeJpeg } from "./support/images.js";
import { type InboxStack, inboxTenantId, startInboxStack } from "./support/ingest-stack.js";

describe("the drop folder, end to end with the simulator", () => {
  let stack: InboxStack;

  beforeAll(async () => {
    stack = await startInboxStack({ simulator: { generationMs: 200 } });
  });
  afterAll(() => stack?.close());

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
  });
});
