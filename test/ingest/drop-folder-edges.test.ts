import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorReportKey } from "../../functions/core/inbox/error-report.js";
import { maxSettingsFileBytes } from "../../functions/core/inbox/resolve-settings.js";
import { ingestObjects } from "../../functions/core/use-cases/ingest-objects.js";
import { makeImageOf, makeJpeg, withTrailer } from "./support/images.js";
import { type InboxStack, inboxTenantId, startInboxStack } from "./support/ingest-stack.js";

describe("the drop folder, at its edges", () => {
  let stack: InboxStack;
  let jpeg: Uint8Array;
  let unique = 0;
  const image = () => withTrailer(jpeg, `#${++unique}`);
  const tasksAt = (key: string) => stack.tasksAt(key);
  const reportOf = (key: string) => stack.readJson(errorReportKey(key)) as Promise<Record<string, unknown>>;

  beforeAll(async () => {
    [stack, jpeg] = await Promise.all([startInboxStack(), makeJpeg(640, 360)]);
  });
  afterAll(() => stack?.close());

  it("takes PNG and WebP images, whatever their names say", async () => {
    await stack.drop("inbox/formats/still.png", await makeImageOf("png", 640, 480));
    await stack.drop("inbox/formats/still-webp.jpg", await makeImageOf("webp", 480, 640));

    expect(await tasksAt("inbox/formats/still.png")).toEqual([
      expect.objectContaining({ image: expect.objectContaining({ contentType: "image/png" }) }),
    ]);
    expect(await tasksAt("inbox/formats/still-webp.jpg")).toEqual([
      expect.objectContaining({ image: expect.objectContaining({ contentType: "image/webp" }) }),
    ]);
  });

  it("takes a plain PUT sent as curl --data-binary sends it (form-urlencoded), keeping its content type", async () => {
    const url = `${stack.s3Endpoint}/${stack.bucket}/inbox/curl/photo.jpg`;
    for (const contentType of ["application/x-www-form-urlencoded", "application/x-amz-json-1.0"]) {
      const put = await fetch(url, {
        method: "PUT",
        headers: { "content-type": contentType },
        body: Buffer.from(image()),
      });
      expect(put.status).toBe(200);
      await stack.front.drain();

      const read = await fetch(url);
      expect(read.headers.get("content-type")).toBe(contentType);
      await read.arrayBuffer();
    }
    expect(await tasksAt("inbox/curl/photo.jpg")).toEqual([
      expect.objectContaining({
        tenantId: inboxTenantId,
        image: expect.objectContaining({ kind: "stored" }),
      }),
      expect.objectContaining({
        tenantId: inboxTenantId,
        image: expect.objectContaining({ kind: "stored" }),
      }),
    ]);
  });

  it("reports a broken _settings.json of a folder above, naming the file and where it breaks", async () => {
    await stack.drop("inbox/broken-batch/_settings.json", '{\n  "prompt": "dusk"\n  "duration": "6"\n}');
    await stack.drop("inbox/broken-batch/day1/cat.jpg", image());

    const report = await reportOf("inbox/broken-batch/day1/cat.jpg");
    expect(report).toMatchObject({ error: { code: "invalid_settings" } });
    expect((report.error as { message: string }).message).toMatch(
      /^the folder settings inbox\/broken-batch\/_settings\.json: is not valid JSON at line 3, column 3 \(/,
    );
    expect(await tasksAt("inbox/broken-batch/day1/cat.jpg")).toEqual([]);
  });

  it("refuses a sidecar over the settings size limit without reading it whole", async () => {
    const padding = " ".repeat(maxSettingsFileBytes);
    await stack.drop("inbox/huge-sidecar/cat.jpg.json", `{"prompt": "big"${padding}}`);
    await stack.drop("inbox/huge-sidecar/cat.jpg", image());

    expect(await reportOf("inbox/huge-sidecar/cat.jpg")).toMatchObject({
      error: {
        code: "invalid_settings",
        message:
          "the sidecar inbox/huge-sidecar/cat.jpg.json: is over 64 KB; a settings file holds a few fields",
      },
    });
  });

  it("passes over the files desktop tools leave beside photos, without a report", async () => {
    for (const key of ["inbox/trip/.DS_Store", "inbox/trip/._cat.jpg", "inbox/trip/Thumbs.db"]) {
      await stack.drop(key, "desktop metadata, not a photo");
      expect(await stack.exists(errorReportKey(key)), key).toBe(false);
      expect(await tasksAt(key), key).toEqual([]);
    }
  });

  it("says sizes in the unit that reads best, and leaves a refused object where it is", async () => {
    const small = await startInboxStack({ env: { INBOX_MAX_BYTES: "10000" } });
    try {
      await small.drop("inbox/big.jpg", image());
      const report = (await small.readJson("inbox-errors/inbox/big.jpg.json")) as {
        error: { message: string };
      };
      expect(report.error.message).toMatch(
        /^the file is \d+ KB; the drop folder takes images of at most 10 KB$/,
      );
      expect(await small.exists("inbox/big.jpg")).toBe(true);
      expect(await small.deps.tenants.getTenant(inboxTenantId)).toMatchObject({ creditsSpent: 0 });
    } finally {
      await small.close();
    }
  });

  it("removes an old error report once the same key makes a task", async () => {
    const key = "inbox/second-try/cat.jpg";
    await stack.drop(key, "first upload went wrong");
    expect(await reportOf(key)).toMatchObject({ error: { code: "not_an_image" } });

    await stack.drop(key, image());

    expect(await tasksAt(key)).toHaveLength(1);
    expect(await stack.exists(errorReportKey(key))).toBe(false);
  });

  it("writes a report for a key too long to be mirrored under inbox-errors/", async () => {
    const key = `inbox/${"very-long-folder-name/".repeat(45)}photo.jpg`;
    expect(Buffer.byteLength(key)).toBeLessThanOrEqual(1024);
    await stack.drop(key, "not a photo");

    const reportKey = errorReportKey(key);
    expect(Buffer.byteLength(reportKey)).toBeLessThanOrEqual(1024);
    expect(await stack.readJson(reportKey)).toMatchObject({ key, error: { code: "not_an_image" } });
  });

  it("writes no report for a failure that may pass, so the event is delivered again", async () => {
    const ownerless = await startInboxStack({ env: { INBOX_TENANT_ID: "nobody-owns-this" } });
    try {
      const { eTag, size } = await ownerless.putSilently("inbox/orphan.jpg", image());
      const options = ownerless.settings.ingest;

      const [outcome] = await ingestObjects(ownerless.deps, options, [
        { bucket: ownerless.bucket, key: "inbox/orphan.jpg", size, eTag },
      ]);

      expect(outcome).toMatchObject({ outcome: "failed" });
      expect(outcome?.outcome === "failed" ? outcome.error : "").toContain("nobody-owns-this");
      expect(await ownerless.exists("inbox-errors/inbox/orphan.jpg.json")).toBe(false);
    } finally {
      await ownerless.close();
    }
  });
});
