import { request as httpRequest } from "node:http";
import { Readable } from "node:stream";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { S3Event, S3EventRecord } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { freePort } from "../../local/servers/free-port.js";
import {
  type RunningS3NotifyingFront,
  startS3NotifyingFront,
} from "../../local/servers/s3-notifying-front.js";
import { testS3Client, testS3Endpoint, uniqueName } from "../support/aws-clients.js";
import { startTcpLink, type TcpLink } from "./tcp-link.js";

/** Sends a whole request, then hangs up before the answer or once its headers arrive. */
function sendThenHangUp(
  url: string,
  method: string,
  body: string,
  when: "before the answer" | "on the answer's headers",
): Promise<void> {
  return new Promise((resolve) => {
    const request = httpRequest(url, { method, headers: { "content-length": Buffer.byteLength(body) } });
    const hangUp = () => {
      request.destroy();
      resolve();
    };
    request.on("error", () => {});
    if (when === "on the answer's headers") request.once("response", hangUp);
    request.end(body, () => {
      if (when === "before the answer") setTimeout(hangUp, 50);
    });
  });
}

describe("startS3NotifyingFront when the network or the client fails", () => {
  const bucket = uniqueName("servers-front-faults");
  const received: S3Event[] = [];
  const log: string[] = [];
  const direct = testS3Client();
  let link: TcpLink;
  let front: RunningS3NotifyingFront;
  let s3: S3Client;

  beforeAll(async () => {
    link = await startTcpLink(testS3Endpoint());
    front = await startS3NotifyingFront({
      port: await freePort(),
      target: link.endpoint,
      retry: { minDelayMs: 20, maxDelayMs: 100 },
      log: (message) => log.push(message),
      rules: [{ name: "all", deliver: async (event) => void received.push(event) }],
    });
    s3 = testS3Client(front.endpoint);
    await direct.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  beforeEach(async () => {
    link.trickleResponses(0);
    link.comeBackUp();
    await front.drain();
    received.length = 0;
    log.length = 0;
  });

  afterAll(async () => {
    s3.destroy();
    direct.destroy();
    await front.stop();
    await link.close();
  });

  const nextRecord = async (): Promise<S3EventRecord> => {
    await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 5_000, interval: 20 });
    await front.drain();
    return received[0]?.Records[0] as S3EventRecord;
  };

  it("keeps the event of a PutObject whose S3 server is unreachable right after answering", async () => {
    link.goDownAfterNextResponse();
    const put = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: "inbox/then-down.jpg", Body: "12345" }),
    );

    const record = await nextRecord();

    expect(record.eventName).toBe("ObjectCreated:Put");
    expect(record.s3.object).toMatchObject({
      key: "inbox/then-down.jpg",
      size: 5,
      eTag: put.ETag?.replaceAll('"', ""),
    });
  });

  it("takes an aws-chunked PutObject's size from its decoded length, not its content-length", async () => {
    const checksummingClient = new S3Client({
      endpoint: front.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      forcePathStyle: true,
    });
    link.goDownAfterNextResponse();
    const put = await checksummingClient.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "inbox/chunked.jpg",
        Body: Readable.from([Buffer.from("0123456789abcdef")]),
        ContentLength: 16,
      }),
    );
    checksummingClient.destroy();

    const record = await nextRecord();

    expect(record.s3.object).toMatchObject({
      key: "inbox/chunked.jpg",
      size: 16,
      eTag: put.ETag?.replaceAll('"', ""),
    });
  });

  it("retries the lookup of a copy's size until the S3 server is back", async () => {
    await direct.send(
      new PutObjectCommand({ Bucket: bucket, Key: "staging/source.mp4", Body: "0123456789" }),
    );
    link.goDownAfterNextResponse();
    const copy = await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: "outputs/copied.mp4",
        CopySource: `${bucket}/staging/source.mp4`,
      }),
    );
    setTimeout(() => link.comeBackUp(), 300);

    const record = await nextRecord();

    expect(record.eventName).toBe("ObjectCreated:Copy");
    expect(record.s3.object).toMatchObject({
      key: "outputs/copied.mp4",
      size: 10,
      eTag: copy.CopyObjectResult?.ETag?.replaceAll('"', ""),
    });
    expect(log.some((line) => line.includes("retrying"))).toBe(true);
  });

  it("emits the event of a PUT whose client hung up before the answer", async () => {
    link.trickleResponses(30);

    await sendThenHangUp(`${front.endpoint}/${bucket}/inbox/hung-up.jpg`, "PUT", "abc", "before the answer");
    const record = await nextRecord();

    const head = await direct.send(new HeadObjectCommand({ Bucket: bucket, Key: "inbox/hung-up.jpg" }));
    expect(record.eventName).toBe("ObjectCreated:Put");
    expect(record.s3.object).toMatchObject({
      key: "inbox/hung-up.jpg",
      size: 3,
      eTag: head.ETag?.replaceAll('"', ""),
    });
  });

  it("emits the event of a CompleteMultipartUpload whose client hung up as the answer began", async () => {
    const key = "outputs/hung-up.mp4";
    const { UploadId } = await direct.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const part = await direct.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        PartNumber: 1,
        Body: "one small last part",
      }),
    );
    link.trickleResponses(30);

    const completion = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.ETag}</ETag></Part></CompleteMultipartUpload>`;
    await sendThenHangUp(
      `${front.endpoint}/${bucket}/${key}?uploadId=${UploadId}`,
      "POST",
      completion,
      "on the answer's headers",
    );
    const record = await nextRecord();

    const head = await direct.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(record.eventName).toBe("ObjectCreated:CompleteMultipartUpload");
    expect(record.s3.object).toMatchObject({ key, size: 19, eTag: head.ETag?.replaceAll('"', "") });
  });
});

describe("startS3NotifyingFront stop()", () => {
  it("reports how many undelivered events it drops", async () => {
    const bucket = uniqueName("servers-front-stop");
    const log: string[] = [];
    const front = await startS3NotifyingFront({
      port: await freePort(),
      target: testS3Endpoint(),
      retry: { minDelayMs: 1_000, maxDelayMs: 1_000 },
      log: (message) => log.push(message),
      rules: [
        {
          name: "down",
          deliver: async () => {
            throw new Error("handler is down");
          },
        },
      ],
    });
    const s3 = testS3Client(front.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "a.jpg", Body: "a" }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "b.jpg", Body: "b" }));
    s3.destroy();

    await front.stop();

    expect(log.at(-1)).toMatch(/dropping 2 undelivered event\(s\)/);
  });
});
