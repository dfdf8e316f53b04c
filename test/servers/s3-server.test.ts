import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../local/servers/free-port.js";
import { startS3Server } from "../../local/servers/s3-server.js";
import { testS3Client, uniqueName } from "../support/aws-clients.js";
import { randomBodyStream, sha256Of } from "../support/random-body.js";

describe("the S3 server (fauxqs) through the AWS SDK", () => {
  const s3 = testS3Client();
  const bucket = uniqueName("servers-s3");
  const key = "inbox/my photo+1 é.jpg";

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: "0123456789",
        ContentType: "image/jpeg",
        Metadata: { duration: "6" },
      }),
    );
  });
  afterAll(() => s3.destroy());

  it("returns user metadata, size and ETag on HeadObject", async () => {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));

    expect(head.Metadata).toEqual({ duration: "6" });
    expect(head.ContentLength).toBe(10);
    expect(head.ContentType).toBe("image/jpeg");
    expect(head.ETag).toBe('"781e5e245d69b566979b86e28d23f2c7"');
  });

  it("serves a byte range", async () => {
    const part = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: "bytes=2-5" }));

    expect(await part.Body?.transformToString()).toBe("2345");
    expect(part.ContentRange).toBe("bytes 2-5/10");
  });

  it("lists by prefix, copies and deletes", async () => {
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: "inputs/copy.jpg",
        CopySource: `${bucket}/${encodeURIComponent(key)}`,
      }),
    );
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "inputs/" }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual(["inputs/copy.jpg"]);
    const copy = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "inputs/copy.jpg" }));
    expect(copy.Metadata).toEqual({ duration: "6" });

    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "inputs/copy.jpg" }));

    await expect(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: "inputs/copy.jpg" })),
    ).rejects.toBeInstanceOf(NoSuchKey);
  });

  it("takes a streamed 12 MB multipart upload and gives the same bytes back", async () => {
    const body = randomBodyStream(12 * 1024 * 1024 + 123);
    const upload = new Upload({
      client: s3,
      params: { Bucket: bucket, Key: "outputs/big.mp4", Body: body.stream, ContentType: "video/mp4" },
      partSize: 5 * 1024 * 1024,
      queueSize: 2,
    });

    await upload.done();

    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "outputs/big.mp4" }));
    expect(object.ContentLength).toBe(12 * 1024 * 1024 + 123);
    expect(object.ETag).toMatch(/-3"$/);
    expect(await sha256Of(object.Body as Readable)).toBe(await body.sha256);
  });

  it("serves a presigned GET URL to a plain fetch", async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: 300,
    });

    const response = await fetch(url);

    expect(response.status).toBe(200);
    expect(await response.text()).toBe("0123456789");
  });
});

describe("startS3Server", () => {
  it("keeps buckets and objects in storageDir across a restart", async () => {
    const storageDir = await mkdtemp(join(tmpdir(), "s3-server-"));
    try {
      const first = await startS3Server({ port: await freePort(), storageDir });
      const firstClient = testS3Client(first.endpoint);
      await firstClient.send(new CreateBucketCommand({ Bucket: "kept" }));
      await firstClient.send(new PutObjectCommand({ Bucket: "kept", Key: "a/b c.txt", Body: "still here" }));
      firstClient.destroy();
      await first.stop();

      const second = await startS3Server({ port: await freePort(), storageDir });
      const secondClient = testS3Client(second.endpoint);
      const object = await secondClient.send(new GetObjectCommand({ Bucket: "kept", Key: "a/b c.txt" }));
      const text = await object.Body?.transformToString();
      secondClient.destroy();
      await second.stop();

      expect(text).toBe("still here");
    } finally {
      await rm(storageDir, { recursive: true, force: true });
    }
  });
});
