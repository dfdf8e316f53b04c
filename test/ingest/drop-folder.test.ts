import type { S3Event } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeS3EventKey } from "../../functions/adapters/s3/s3-event-keys.js";
import { ingestObjects } from "../../functions/core/use-cases/ingest-objects.js";
import { buildS3Event } from "../../local/servers/s3-event-record.js";
import { notificationRules } from "../../local/stack/event-routes.js";
import { makeJpeg, withTrailer } from "./support/images.js";
import { type InboxStack, inboxTenantId, startInboxStack } from "./support/ingest-stack.js";

describe("the drop folder (ingest)", () => {
  let stack: InboxStack;
  let jpeg: Uint8Array;
  let tiny: Uint8Array;
  let unique = 0;
  /** A valid image with bytes (and so an ETag) of its own. */
  const image = () => withTrailer(jpeg, `#${++unique}`);
  const tasksAt = (key: string) => stack.tasksAt(key);

  beforeAll(async () => {
    [stack, jpeg, tiny] = await Promise.all([startInboxStack(), makeJpeg(640, 360), makeJpeg(300, 300)]);
  });
  afterAll(() => stack?.close());

  it("records a task for the inbox tenant, charged to it, with the object as its source", async () => {
    const { eTag } = await stack.drop("inbox/cat.jpg", image(), { prompt: "a cat yawns", duration: "10" });

    const [task] = await tasksAt("inbox/cat.jpg");
    expect(task).toMatchObject({
      tenantId: inboxTenantId,
      prompt: "a cat yawns",
      duration: "10",
      resolution: "768P",
      credits: 45,
      source: { kind: "inbox", bucket: stack.bucket, key: "inbox/cat.jpg", etag: eTag },
      image: { kind: "stored", contentType: "image/jpeg" },
    });
    expect(task?.phase).toBe("queued"); // the upstream of this stack refuses connections
    expect((await stack.deps.tenants.getTenant(inboxTenantId))?.creditsSpent).toBeGreaterThanOrEqual(45);
    expect(await stack.exists("inbox/cat.jpg")).toBe(true);
  });

  it("applies a sidecar put before the image, and metadata wins over it field by field", async () => {
    await stack.drop("inbox/side/dog.json", JSON.stringify({ prompt: "from sidecar", resolution: "1080P" }));
    await stack.drop("inbox/side/dog.png.json", JSON.stringify({ prompt: "from the specific sidecar" }));
    await stack.drop("inbox/side/dog.jpg", image(), { model: "hailuo/2-3-image-to-video-pro" });
    await stack.drop("inbox/side/dog.png", image());
    await stack.drop("inbox/side/owl.jpg", image(), { prompt: "from metadata" });
    // JPEG bytes under a .png name are fine: the bytes decide, not the name.

    expect(await tasksAt("inbox/side/dog.jpg")).toEqual([
      expect.objectContaining({
        prompt: "from sidecar",
        resolution: "1080P",
        model: "hailuo/2-3-image-to-video-pro",
      }),
    ]);
    expect(await tasksAt("inbox/side/dog.png")).toEqual([
      expect.objectContaining({ prompt: "from the specific sidecar", resolution: "768P" }),
    ]);
    expect(await tasksAt("inbox/side/owl.jpg")).toEqual([
      expect.objectContaining({ prompt: "from metadata", resolution: "768P" }),
    ]);
    // Settings files make neither a task nor an error report.
    expect(await tasksAt("inbox/side/dog.json")).toEqual([]);
    expect(await stack.exists("inbox-errors/inbox/side/dog.json.json")).toBe(false);
  });

  it("applies the nearest _settings.json, then the ones above, field by field", async () => {
    await stack.drop("inbox/_settings.json", JSON.stringify({ prompt: "top prompt", resolution: "1080P" }));
    await stack.drop("inbox/batch/deep/_settings.json", JSON.stringify({ prompt: "batch prompt" }));
    await stack.drop("inbox/batch/deep/er/one.jpg", image());
    await stack.drop("inbox/batch/deep/er/two.jpg", image(), { prompt: "own prompt" });
    await stack.drop("inbox/batch/three.jpg", image());

    expect(await tasksAt("inbox/batch/deep/er/one.jpg")).toEqual([
      expect.objectContaining({ prompt: "batch prompt", resolution: "1080P" }),
    ]);
    expect(await tasksAt("inbox/batch/deep/er/two.jpg")).toEqual([
      expect.objectContaining({ prompt: "own prompt", resolution: "1080P" }),
    ]);
    expect(await tasksAt("inbox/batch/three.jpg")).toEqual([
      expect.objectContaining({ prompt: "top prompt", resolution: "1080P" }),
    ]);
    await stack.drop("inbox/_settings.json", "{}");
  });

  describe("refuses an object that cannot become a task, with a report beside it", () => {
    const expectRejected = async (key: string, code: string, message: RegExp) => {
      const report = (await stack.readJson(`inbox-errors/${key}.json`)) as
        | Record<string, unknown>
        | undefined;
      expect(report).toMatchObject({ key, error: { code, message: expect.stringMatching(message) } });
      expect(typeof report?.etag).toBe("string");
      expect(Number.isNaN(Date.parse(String(report?.at)))).toBe(false);
      expect(await stack.exists(key)).toBe(true);
      expect(await tasksAt(key)).toEqual([]);
    };

    it("a text file named .jpg", async () => {
      await stack.drop("inbox/errors/fake.jpg", "this is not a picture, only words", { prompt: "p" });
      await expectRejected("inbox/errors/fake.jpg", "not_an_image", /not a JPEG, PNG or WebP/);
    });

    it("an empty file", async () => {
      await stack.drop("inbox/errors/empty.jpg", "");
      await expectRejected("inbox/errors/empty.jpg", "not_an_image", /empty/);
    });

    it("an image whose short side is 300 px", async () => {
      await stack.drop("inbox/errors/tiny.jpg", tiny);
      await expectRejected(
        "inbox/errors/tiny.jpg",
        "invalid_image",
        /300×300 px; its short side must be over 300 px/,
      );
    });

    it("a broken sidecar, naming the file", async () => {
      await stack.drop("inbox/errors/broken.json", '{"prompt": "a cat",');
      await stack.drop("inbox/errors/broken.jpg", image());
      await expectRejected(
        "inbox/errors/broken.jpg",
        "invalid_settings",
        /^the sidecar inbox\/errors\/broken\.json: is not valid JSON/,
      );
    });

    it("a sidecar field out of its rule, naming the file and the field", async () => {
      await stack.drop("inbox/errors/long.json", JSON.stringify({ duration: 8 }));
      await stack.drop("inbox/errors/long.jpg", image());
      await expectRejected(
        "inbox/errors/long.jpg",
        "invalid_settings",
        /inbox\/errors\/long\.json: duration must be "6" or "10"/,
      );
    });

    it("a metadata value out of its rule", async () => {
      await stack.drop("inbox/errors/meta.jpg", image(), { resolution: "4K" });
      await expectRejected(
        "inbox/errors/meta.jpg",
        "invalid_settings",
        /metadata of inbox\/errors\/meta\.jpg: resolution/,
      );
    });

    it("a file over INBOX_MAX_BYTES, without reading it", async () => {
      const small = await startInboxStack({ env: { INBOX_MAX_BYTES: "10000" } });
      try {
        const { eTag } = await small.drop("inbox/big.jpg", image());
        const report = await small.readJson("inbox-errors/inbox/big.jpg.json");
        expect(report).toMatchObject({ etag: eTag, error: { code: "image_too_large" } });
        expect(await small.tasksOfInbox()).toEqual([]);
      } finally {
        await small.close();
      }
    });
  });

  describe("at least once in, exactly once out", () => {
    it("makes one task, charged once, when the same event is delivered three times at once", async () => {
      const key = "inbox/twice/cat.jpg";
      // No event from the write itself: the three deliveries below race for the first claim.
      const { eTag, size } = await stack.putSilently(key, image());
      const spentBefore = (await stack.deps.tenants.getTenant(inboxTenantId))?.creditsSpent ?? 0;
      const [ingest] = notificationRules(stack.deps, stack.settings).filter((rule) => rule.name === "Ingest");
      const event = eventFor(stack.bucket, key, size, eTag);

      await Promise.all([ingest?.deliver(event), ingest?.deliver(event), ingest?.deliver(event)]);

      expect(await tasksAt(key)).toHaveLength(1);
      expect((await stack.deps.tenants.getTenant(inboxTenantId))?.creditsSpent).toBe(spentBefore + 30);
      expect(await stack.exists(`inbox-errors/${key}.json`)).toBe(false);
    });

    it("answers duplicate for a replay, with the first task's id", async () => {
      const key = "inbox/twice/dog.jpg";
      const { eTag } = await stack.drop(key, image());
      const [first] = await tasksAt(key);
      const options = stack.settings.ingest;
      const [outcome] = await ingestObjects(stack.deps, options, [
        { bucket: stack.bucket, key, size: 1, eTag },
      ]);
      expect(outcome).toMatchObject({ outcome: "duplicate", taskId: first?.id });
    });

    it("makes no new task when the same bytes are uploaded again, and one when new bytes come", async () => {
      const key = "inbox/again/cat.jpg";
      const bytes = image();
      await stack.drop(key, bytes, { prompt: "first" });
      await stack.drop(key, bytes, { prompt: "second, same bytes" });
      expect(await tasksAt(key)).toEqual([expect.objectContaining({ prompt: "first" })]);

      await stack.drop(key, image(), { prompt: "new bytes" });
      const prompts = (await tasksAt(key)).map((task) => task.prompt).sort();
      expect(prompts).toEqual(["first", "new bytes"]);
    });

    it("skips an event whose object was replaced since (the newer event covers it)", async () => {
      const key = "inbox/replaced/cat.jpg";
      const old = await stack.putSilently(key, image());
      await stack.drop(key, image());
      const options = stack.settings.ingest;
      const [outcome] = await ingestObjects(stack.deps, options, [
        { bucket: stack.bucket, key, size: 1, eTag: old.eTag },
      ]);
      expect(outcome).toMatchObject({ outcome: "skipped" });
      expect(await tasksAt(key)).toHaveLength(1);
    });

    it("ignores folder markers", async () => {
      const { eTag } = await stack.drop("inbox/empty-folder/", "");
      expect(await stack.exists("inbox-errors/inbox/empty-folder/.json")).toBe(false);
      const options = stack.settings.ingest;
      const outcomes = await ingestObjects(stack.deps, options, [
        { bucket: stack.bucket, key: "inbox/empty-folder/", size: 0, eTag },
      ]);
      expect(outcomes).toEqual([expect.objectContaining({ outcome: "skipped", reason: "a folder marker" })]);
    });
  });

  it("takes keys with spaces, plus signs, unicode and deep folders", async () => {
    const keys = [
      "inbox/my photos/summer 2024/cat + dog.jpg",
      "inbox/a+b/c%20d.jpg",
      "inbox/日本/猫の写真 é.jpg",
      "inbox/1/2/3/4/5/6/7/8/deep (copy) #1.jpg",
    ];
    for (const key of keys) await stack.drop(key, image(), { prompt: "odd key" });
    for (const key of keys) {
      expect(await tasksAt(key), key).toEqual([expect.objectContaining({ prompt: "odd key" })]);
    }
  });
});

function eventFor(bucket: string, key: string, size: number, eTag: string): S3Event {
  const event = buildS3Event(
    {
      eventName: "ObjectCreated:Put",
      bucket,
      key,
      size,
      eTag,
      eventTime: new Date(),
      sequencer: "0",
      requestId: "test",
      hostId: "test",
      sourceIpAddress: "127.0.0.1",
    },
    "Ingest",
  );
  expect(event.Records[0]?.s3.object.key).toBe(encodeS3EventKey(key));
  return event;
}
