import { createHash } from "node:crypto";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MediaStore } from "../../functions/core/ports.js";
import { testS3Client } from "../support/aws-clients.js";
import { randomBodyStream, sha256Of } from "../support/random-body.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

const megabyte = 1024 * 1024;

describe("the S3 media store", () => {
  let stack: TestStack;
  let media: MediaStore;
  let s3: S3Client;

  beforeAll(async () => {
    stack = await startTestStack({ simulator: false });
    media = stack.deps.media;
    s3 = testS3Client();
  });
  afterAll(async () => {
    s3?.destroy();
    await stack?.close();
  });

  /** What S3 really holds under `key`, read past the store. */
  const storedBytes = async (key: string): Promise<Buffer> => {
    const object = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
    return Buffer.from((await object.Body?.transformToByteArray()) ?? []);
  };
  const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

  describe("putObject and exists", () => {
    it("stores bytes that exist afterwards, with their content type", async () => {
      const key = "specs/put/status.json";

      await media.putObject(key, '{"status":"completed"}', "application/json");

      expect(await media.exists(key)).toBe(true);
      expect((await storedBytes(key)).toString("utf8")).toBe('{"status":"completed"}');
      expect(await media.head(key)).toMatchObject({ size: 22, contentType: "application/json" });
    });

    it("stores a Uint8Array byte for byte", async () => {
      const key = "specs/put/binary.bin";
      const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);

      await media.putObject(key, bytes, "application/octet-stream");

      expect(new Uint8Array(await storedBytes(key))).toEqual(bytes);
    });

    it("says a missing key does not exist", async () => {
      expect(await media.exists("specs/put/never-written.mp4")).toBe(false);
    });
  });

  describe("uploadStream", () => {
    it("streams a 12 MB body of unknown length into one object and counts its bytes", async () => {
      // Prepare: three 5 MB parts' worth, made on the fly.
      const size = 12 * megabyte;
      const body = randomBodyStream(size);
      const key = "specs/upload/video.mp4";

      // Act
      const { bytes } = await media.uploadStream(key, body.stream, "video/mp4");

      // Assess
      expect(bytes).toBe(size);
      const object = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
      expect(object.ContentLength).toBe(size);
      expect(object.ContentType).toBe("video/mp4");
      expect(await sha256Of(object.Body as AsyncIterable<Uint8Array>)).toBe(await body.sha256);
    });

    it("uploads a body smaller than one part", async () => {
      const body = randomBodyStream(300 * 1024, 64 * 1024);
      const key = "specs/upload/small.mp4";

      const { bytes } = await media.uploadStream(key, body.stream, "video/mp4");

      expect(bytes).toBe(300 * 1024);
      expect(sha256(await storedBytes(key))).toBe(await body.sha256);
    });
  });

  describe("copyObject", () => {
    it("copies a key holding spaces, `+` and non-ASCII letters to another such key", async () => {
      // Prepare
      const from = "inbox-specs/my photo+1 é ü 日本.jpg";
      const to = "specs/copies/copy of+photo é.jpg";
      const bytes = new Uint8Array(Buffer.from("not really a JPEG, but bytes all the same"));
      await media.putObject(from, bytes, "image/jpeg");

      // Act
      await media.copyObject(from, to);

      // Assess
      expect(await media.exists(to)).toBe(true);
      expect(new Uint8Array(await storedBytes(to))).toEqual(bytes);
      expect(await media.exists(from)).toBe(true);
      expect(await media.exists("specs/copies/copy of photo é.jpg")).toBe(false);
    });

    it("throws when the source does not exist", async () => {
      await expect(media.copyObject("specs/copies/missing.jpg", "specs/copies/target.jpg")).rejects.toThrow();
      expect(await media.exists("specs/copies/target.jpg")).toBe(false);
    });
  });

  describe("presignGet", () => {
    it("gives a URL that plain fetch downloads, without checksum parameters a browser cannot satisfy", async () => {
      // Prepare
      const key = "specs/presign/video.mp4";
      const bytes = new Uint8Array(Buffer.from("ftypisom and then a whole video"));
      await media.putObject(key, bytes, "video/mp4");

      // Act
      const url = await media.presignGet(key, 600);
      const response = await fetch(url);

      // Assess
      const parameters = [...new URL(url).searchParams.keys()].map((name) => name.toLowerCase());
      expect(parameters).toContain("x-amz-signature");
      expect(parameters.filter((name) => name.includes("checksum"))).toEqual([]);
      expect(response.status).toBe(200);
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
    });

    it("gives a downloadable URL for a key with spaces, `+` and non-ASCII letters", async () => {
      const key = "specs/presign/my video+1 é.mp4";
      await media.putObject(key, "the bytes", "video/mp4");

      const response = await fetch(await media.presignGet(key, 600));

      expect(response.status).toBe(200);
      expect(await response.text()).toBe("the bytes");
    });
  });

  describe("head, readRange and getText", () => {
    it("reads the head of an object: size, unquoted ETag, content type", async () => {
      const key = "specs/read/digits.txt";
      await media.putObject(key, "0123456789", "text/plain");

      const head = await media.head(key);

      expect(head).toEqual({
        size: 10,
        eTag: createHash("md5").update("0123456789").digest("hex"),
        contentType: "text/plain",
        metadata: {},
      });
    });

    it("reads a byte range, and fewer bytes when the object is shorter", async () => {
      const key = "specs/read/range.txt";
      await media.putObject(key, "0123456789", "text/plain");

      const middle = await media.readRange(key, 2, 5);
      const tail = await media.readRange(key, 8, 100);

      expect(Buffer.from(middle).toString()).toBe("2345");
      expect(Buffer.from(tail).toString()).toBe("89");
    });

    it("reads a range pinned to the current ETag, and refuses one pinned to another", async () => {
      const key = "specs/read/pinned.txt";
      await media.putObject(key, "0123456789", "text/plain");
      const head = await media.head(key);

      const pinned = await media.readRange(key, 0, 3, { ifMatch: head?.eTag ?? "" });
      const stale = media.readRange(key, 0, 3, { ifMatch: "0123456789abcdef0123456789abcdef" });

      expect(Buffer.from(pinned).toString()).toBe("0123");
      await expect(stale).rejects.toThrow();
    });

    it("reads a small object as UTF-8 text, and an empty one as empty text", async () => {
      const key = "specs/read/settings.json";
      await media.putObject(key, '{"prompt":"Säntis at dawn 🌄"}', "application/json");
      await media.putObject("specs/read/empty.json", "", "application/json");

      expect(await media.getText(key, 1024)).toBe('{"prompt":"Säntis at dawn 🌄"}');
      expect(await media.getText("specs/read/empty.json", 1024)).toBe("");
    });

    it("reads no more than one byte past the limit of a large text", async () => {
      const key = "specs/read/large.json";
      await media.putObject(key, "x".repeat(10_000), "application/json");

      expect(await media.getText(key, 100)).toBe("x".repeat(101));
    });

    it("answers undefined for the head or text of a missing object", async () => {
      expect(await media.head("specs/read/missing.txt")).toBeUndefined();
      expect(await media.getText("specs/read/missing.txt", 1024)).toBeUndefined();
    });

    it("deletes an object, and a missing one without complaint", async () => {
      await media.putObject("specs/delete/me.txt", "bye", "text/plain");

      await media.deleteObject("specs/delete/me.txt");
      await media.deleteObject("specs/delete/never-was.txt");

      expect(await media.exists("specs/delete/me.txt")).toBe(false);
    });
  });
});
