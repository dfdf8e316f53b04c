import { PutObjectCommand } from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, it } from "vitest";
import { createS3Clients, createS3MediaStore } from "../../functions/adapters/s3/s3-media-store.js";
import type { MediaStore } from "../../functions/core/ports.js";
import { ensureBucket } from "../../local/stack/provision.js";
import { testS3Client, testS3Endpoint, uniqueName } from "../support/aws-clients.js";

describe("S3 media store: the reads the drop folder needs", () => {
  const bucket = uniqueName("ingest-reads");
  let media: MediaStore;
  const body = Buffer.from("0123456789abcdefghij");

  beforeAll(async () => {
    const s3 = testS3Client();
    await ensureBucket(s3, bucket);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "inbox/a b/x+y.bin",
        Body: body,
        Metadata: { Prompt: "hello" },
      }),
    );
    media = createS3MediaStore(
      createS3Clients({
        endpoint: testS3Endpoint(),
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      }),
      bucket,
    );
  });

  it("heads an object: size, unquoted ETag, lower-case metadata; undefined when absent", async () => {
    const head = await media.head("inbox/a b/x+y.bin");
    expect(head).toMatchObject({ size: body.length, metadata: { prompt: "hello" } });
    expect(head?.eTag).toMatch(/^[0-9a-f]{32}$/);
    expect(await media.head("inbox/missing.bin")).toBeUndefined();
  });

  it("reads a byte range only, pinned to the ETag", async () => {
    const head = await media.head("inbox/a b/x+y.bin");
    const bytes = await media.readRange("inbox/a b/x+y.bin", 0, 9, { ifMatch: head?.eTag ?? "" });
    expect(Buffer.from(bytes).toString()).toBe("0123456789");
    const past = await media.readRange("inbox/a b/x+y.bin", 0, 1000);
    expect(past.length).toBe(body.length);
  });

  it("refuses a range read of a version that is gone", async () => {
    await expect(
      media.readRange("inbox/a b/x+y.bin", 0, 9, { ifMatch: "00000000000000000000000000000000" }),
    ).rejects.toThrow();
  });

  it("gets small text files, undefined when absent", async () => {
    expect(await media.getText("inbox/a b/x+y.bin", 1024)).toBe(body.toString());
    expect(await media.getText("inbox/none.json", 1024)).toBeUndefined();
  });
});
