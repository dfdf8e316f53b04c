import { describe, expect, it } from "vitest";
import { postObjectKey } from "../../local/servers/s3-post-object-form.js";
import { classifyS3Write } from "../../local/servers/s3-write-request.js";
import { completeVersion, readResultBody, sizeFromRequest } from "../../local/servers/s3-write-response.js";

describe("classifyS3Write", () => {
  const line = (method: string, url: string, headers: Record<string, string> = {}) => ({
    method,
    url,
    host: "127.0.0.1:4566",
    headers,
  });

  it("recognises a POST Object form upload, whose key is in the form", () => {
    const form = { "content-type": "multipart/form-data; boundary=x" };
    expect(classifyS3Write(line("POST", "/photos", form))).toEqual({
      eventName: "ObjectCreated:Post",
      bucket: "photos",
      key: undefined,
    });
  });

  it("leaves bucket operations alone: CreateBucket, DeleteObjects", () => {
    expect(classifyS3Write(line("PUT", "/photos"))).toBeUndefined();
    expect(
      classifyS3Write(line("POST", "/photos?delete", { "content-type": "application/xml" })),
    ).toBeUndefined();
  });
});

describe("postObjectKey", () => {
  const form = (...parts: string[]) =>
    Buffer.from(`${parts.map((part) => `--b1\r\n${part}\r\n`).join("")}--b1--\r\n`);
  const field = (name: string, value: string) =>
    `Content-Disposition: form-data; name="${name}"\r\n\r\n${value}`;
  const file = (filename: string) =>
    `Content-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8`;

  it("reads the key field and puts the file name in place of its placeholder, as S3 does", () => {
    const body = form(
      field("Policy", "e30="),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: S3's literal placeholder, not a template.
      field("key", "inbox/${filename}"),
      file("C:\\photos\\my photo.jpg"),
    );
    expect(postObjectKey(body, "multipart/form-data; boundary=b1")).toBe("inbox/my photo.jpg");
  });

  it("gives nothing without a whole key field before the file", () => {
    const cut = Buffer.from(`--b1\r\n${field("key", "inbox/a.jpg")}\r\n--b1\r\nContent-Disposition: form-da`);
    expect(postObjectKey(cut, 'multipart/form-data; boundary="b1"')).toBeUndefined();
    expect(
      postObjectKey(form(field("acl", "private"), file("a.jpg")), "multipart/form-data; boundary=b1"),
    ).toBe(undefined);
  });
});

describe("readResultBody", () => {
  it("reads the ETag of a copy or of a completed multipart upload, quoted or escaped", () => {
    const copy = '<CopyObjectResult><ETag>"9b2cf535f27731c974343645a3985328"</ETag></CopyObjectResult>';
    const completed =
      "<CompleteMultipartUploadResult><ETag>&quot;3858f62230ac3c915f300c664312c11f-9&quot;</ETag>";
    expect(readResultBody(Buffer.from(copy))).toEqual({
      failed: false,
      eTag: "9b2cf535f27731c974343645a3985328",
    });
    expect(readResultBody(Buffer.from(completed))).toEqual({
      failed: false,
      eTag: "3858f62230ac3c915f300c664312c11f-9",
    });
  });

  it("sees the failure in a 200 whose body is an S3 error", () => {
    const body =
      "\n\n<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>";
    expect(readResultBody(Buffer.from(body))).toEqual({ failed: true });
  });
});

describe("sizeFromRequest", () => {
  it("takes the decoded length of an aws-chunked body and the content-length of a plain one", () => {
    const chunked = { "content-encoding": "aws-chunked", "x-amz-decoded-content-length": "16" };
    expect(sizeFromRequest("ObjectCreated:Put", chunked)).toBe(16);
    expect(sizeFromRequest("ObjectCreated:Put", { "content-length": "13" })).toBe(13);
  });

  it("does not guess: a chunked upload, or a write whose body is not the object", () => {
    expect(sizeFromRequest("ObjectCreated:Put", { "transfer-encoding": "chunked" })).toBeUndefined();
    expect(
      sizeFromRequest("ObjectCreated:Put", { "content-encoding": "aws-chunked", "content-length": "90" }),
    ).toBe(undefined);
    expect(sizeFromRequest("ObjectCreated:Post", { "content-length": "500" })).toBeUndefined();
  });
});

describe("completeVersion", () => {
  it("takes the size from a HEAD of the same version", () => {
    expect(completeVersion({ eTag: "a" }, { eTag: "a", size: 5 })).toEqual({
      version: { eTag: "a", size: 5 },
      sizeLost: false,
    });
  });

  it("keeps the event of a version replaced or deleted since, with its size lost", () => {
    expect(completeVersion({ eTag: "a" }, { eTag: "b", size: 5 })).toEqual({
      version: { eTag: "a", size: 0 },
      sizeLost: true,
    });
    expect(completeVersion({ eTag: "a" }, undefined).version).toEqual({ eTag: "a", size: 0 });
  });

  it("relies on the HEAD alone when the answer was cut off before its ETag", () => {
    expect(completeVersion({}, { eTag: "b", size: 5 }).version).toEqual({ eTag: "b", size: 5 });
    expect(completeVersion({}, undefined).version).toBeUndefined();
  });
});
