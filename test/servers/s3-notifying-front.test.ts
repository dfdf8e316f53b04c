import type { Readable } from "node:stream";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { S3Event, S3EventRecord } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { decodeS3EventKey } from "../../functions/adapters/s3/s3-event-keys.js";
import { freePort } from "../../local/servers/free-port.js";
import {
  type RunningS3NotifyingFront,
  startS3NotifyingFront,
} from "../../local/servers/s3-notifying-front.js";
import { testS3Client, testS3Endpoint, uniqueName } from "../support/aws-clients.js";
import { randomBodyStream, sha256Of } from "../support/random-body.js";

describe("startS3NotifyingFront", () => {
  const bucket = uniqueName("servers-front");
  const received = { inbox: [] as S3Event[], videos: [] as S3Event[] };
  const failures: string[] = [];
  let failuresToInject = 0;
  let front: RunningS3NotifyingFront;
  let s3: S3Client;

  beforeAll(async () => {
    front = await startS3NotifyingFront({
      port: await freePort(),
      target: testS3Endpoint(),
      retry: { minDelayMs: 20, maxDelayMs: 100 },
      log: (message) => failures.push(message),
      rules: [
        { name: "ingest", prefix: "inbox/", deliver: async (event) => void received.inbox.push(event) },
        {
          name: "notify",
          prefix: "outputs/",
          suffix: ".mp4",
          deliver: async (event) => {
            if (failuresToInject > 0) {
              failuresToInject -= 1;
              throw new Error("handler is down");
            }
            received.videos.push(event);
          },
        },
      ],
    });
    s3 = testS3Client(front.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  beforeEach(async () => {
    await front.drain();
    received.inbox.length = 0;
    received.videos.length = 0;
    failures.length = 0;
  });

  afterAll(async () => {
    s3.destroy();
    await front.stop();
  });

  const onlyRecord = (events: S3Event[]): S3EventRecord => {
    expect(events).toHaveLength(1);
    expect(events[0]?.Records).toHaveLength(1);
    return events[0]?.Records[0] as S3EventRecord;
  };

  it("turns a PutObject into an ObjectCreated:Put record with the key encoded as S3 does", async () => {
    const key = "inbox/deep/er folder/my photo+1 é.jpg";
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: "a small image",
        Metadata: { resolution: "768P" },
      }),
    );
    await front.drain();

    const record = onlyRecord(received.inbox);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(record).toMatchObject({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: "us-east-1",
      eventName: "ObjectCreated:Put",
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "ingest",
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: {
          key: "inbox/deep/er+folder/my+photo%2B1+%C3%A9.jpg",
          size: 13,
          eTag: head.ETag?.replaceAll('"', ""),
        },
      },
    });
    expect(decodeS3EventKey(record.s3.object.key)).toBe(key);
    expect(new Date(record.eventTime).toISOString()).toBe(record.eventTime);
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]+$/);
    expect(received.videos).toHaveLength(0);
  });

  it("turns a CopyObject into an ObjectCreated:Copy record", async () => {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: "staging/clip.mp4", Body: "not really a video" }),
    );
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: "outputs/clip 1.mp4",
        CopySource: `${bucket}/staging/clip.mp4`,
      }),
    );
    await front.drain();

    const record = onlyRecord(received.videos);
    expect(record.eventName).toBe("ObjectCreated:Copy");
    expect(record.s3.configurationId).toBe("notify");
    expect(record.s3.object).toMatchObject({ key: "outputs/clip+1.mp4", size: 18 });
    expect(received.inbox).toHaveLength(0);
  });

  it("turns a streamed multipart upload into one CompleteMultipartUpload record, bytes intact both ways", async () => {
    const size = 12 * 1024 * 1024 + 7;
    const body = randomBodyStream(size);
    await new Upload({
      client: s3,
      params: { Bucket: bucket, Key: "outputs/task-1.mp4", Body: body.stream, ContentType: "video/mp4" },
      partSize: 5 * 1024 * 1024,
      queueSize: 2,
    }).done();
    await front.drain();

    const record = onlyRecord(received.videos);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "outputs/task-1.mp4" }));
    expect(record.eventName).toBe("ObjectCreated:CompleteMultipartUpload");
    expect(record.s3.object).toMatchObject({
      key: "outputs/task-1.mp4",
      size,
      eTag: head.ETag?.replaceAll('"', ""),
    });
    expect(record.s3.object.eTag).toMatch(/^[0-9a-f]{32}-3$/);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "outputs/task-1.mp4" }));
    expect(await sha256Of(object.Body as Readable)).toBe(await body.sha256);
  });

  it("filters on prefix and suffix: an outputs/ JSON does not fire the .mp4 rule", async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "outputs/task-1.json", Body: "{}" }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "elsewhere/task-1.mp4", Body: "x" }));
    await front.drain();

    expect(received.videos).toHaveLength(0);
    expect(received.inbox).toHaveLength(0);
  });

  it("fires nothing for a failed write or for requests that create no object", async () => {
    const missingBucket = uniqueName("missing");
    await expect(
      s3.send(new PutObjectCommand({ Bucket: missingBucket, Key: "inbox/a.jpg", Body: "x" })),
    ).rejects.toThrow();
    await s3.send(new CreateBucketCommand({ Bucket: uniqueName("another") }));
    await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "outputs/task-1.json" }));
    await front.drain();

    expect(received.inbox).toHaveLength(0);
    expect(received.videos).toHaveLength(0);
  });

  it("retries a delivery that fails twice until it arrives", async () => {
    failuresToInject = 2;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "outputs/retried.mp4", Body: "video" }));
    await front.drain();

    expect(onlyRecord(received.videos).s3.object.key).toBe("outputs/retried.mp4");
    expect(failures).toHaveLength(2);
    expect(failures[0]).toContain("handler is down");
  });

  it("notifies a PUT made with a presigned URL and plain fetch", async () => {
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: "inbox/presigned.jpg" }), {
      expiresIn: 300,
    });

    const response = await fetch(url, { method: "PUT", body: "uploaded by a browser" });
    await front.drain();

    expect(response.status).toBe(200);
    expect(onlyRecord(received.inbox).s3.object).toMatchObject({ key: "inbox/presigned.jpg", size: 21 });
  });

  it("turns a browser form upload (POST Object) into an ObjectCreated:Post record", async () => {
    const form = new FormData();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: S3's literal placeholder, not a template.
    form.append("key", "inbox/forms/${filename}");
    form.append("Content-Type", "image/jpeg");
    form.append("file", new Blob(["form bytes"]), "my photo.jpg");

    const response = await fetch(`${front.endpoint}/${bucket}`, { method: "POST", body: form });
    await front.drain();

    expect(response.status).toBe(204);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "inbox/forms/my photo.jpg" }));
    const record = onlyRecord(received.inbox);
    expect(record.eventName).toBe("ObjectCreated:Post");
    expect(record.s3.object).toMatchObject({
      key: "inbox/forms/my+photo.jpg",
      size: 10,
      eTag: head.ETag?.replaceAll('"', ""),
    });
  });
});

describe("startS3NotifyingFront without its S3 server", () => {
  it("answers 502 and notifies nobody", async () => {
    const delivered: S3Event[] = [];
    const front = await startS3NotifyingFront({
      port: await freePort(),
      target: `http://127.0.0.1:${await freePort()}`,
      rules: [{ name: "all", deliver: async (event) => void delivered.push(event) }],
      log: () => {},
    });
    try {
      const response = await fetch(`${front.endpoint}/bucket/inbox/a.jpg`, { method: "PUT", body: "x" });
      await front.drain();

      expect(response.status).toBe(502);
      expect(delivered).toHaveLength(0);
    } finally {
      await front.stop();
    }
  });
});
