import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeJpeg } from "./support/images.js";
import { type InboxStack, inboxTenantId, startInboxStack } from "./support/ingest-stack.js";

describe("the drop folder, when its owner is out of credits", () => {
  let stack: InboxStack;

  beforeAll(async () => {
    stack = await startInboxStack({ credits: 20 });
  });
  afterAll(() => stack?.close());

  it("writes a report in words, charges nothing, records no task, and leaves the image", async () => {
    const { eTag } = await stack.drop("inbox/poor/cat.jpg", await makeJpeg(640, 360), { prompt: "p" });

    expect(await stack.readJson("inbox-errors/inbox/poor/cat.jpg.json")).toMatchObject({
      key: "inbox/poor/cat.jpg",
      etag: eTag,
      error: {
        code: "insufficient_credits",
        message: expect.stringContaining("this task costs 30 credits and 20 remain"),
      },
    });
    expect(await stack.tasksOfInbox()).toEqual([]);
    expect(await stack.deps.tenants.getTenant(inboxTenantId)).toMatchObject({
      creditsRemaining: 20,
      creditsSpent: 0,
    });
    expect(await stack.exists("inbox/poor/cat.jpg")).toBe(true);
  });
});
