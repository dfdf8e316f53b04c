import { type S3ObjectCreatedEventName, s3ObjectCreatedEvents } from "./s3-event-record.js";

export type S3WriteRequest = {
  eventName: S3ObjectCreatedEventName;
  bucket: string;
  /** `undefined` for a POST Object form upload, whose key is a field of the form. */
  key: string | undefined;
};

type RequestLine = {
  method: string;
  url: string;
  host: string;
  headers: Record<string, string | string[] | undefined>;
};

/**
 * Recognises the requests after which S3 emits `ObjectCreated:*`: PutObject, CopyObject,
 * CompleteMultipartUpload and POST Object. Everything else (UploadPart, tagging, ACLs, bucket
 * operations…) is `undefined`. Path-style, plus virtual-host style the way fauxqs itself routes it.
 */
export function classifyS3Write(request: RequestLine): S3WriteRequest | undefined {
  const url = new URL(request.url, "http://front.invalid");
  const contentType = String(request.headers["content-type"] ?? "");
  const location = bucketAndKey(url.pathname, request.host, contentType);
  if (!location) return undefined;
  const { bucket, key } = location;
  const subresources = [...url.searchParams.keys()].filter(isSubresource);

  if (!key) {
    const formUpload = request.method === "POST" && /multipart\/form-data/i.test(contentType);
    return formUpload && subresources.length === 0
      ? { bucket, key: undefined, eventName: s3ObjectCreatedEvents.post }
      : undefined;
  }
  if (request.method === "PUT" && subresources.length === 0) {
    const copied = request.headers["x-amz-copy-source"] !== undefined;
    return { bucket, key, eventName: copied ? s3ObjectCreatedEvents.copy : s3ObjectCreatedEvents.put };
  }
  if (request.method === "POST" && url.searchParams.has("uploadId")) {
    return { bucket, key, eventName: s3ObjectCreatedEvents.completeMultipartUpload };
  }
  return undefined;
}

// The SDK adds `x-id=PutObject`, presigned URLs add `X-Amz-*`: neither makes it another operation.
function isSubresource(name: string): boolean {
  return name !== "x-id" && !name.toLowerCase().startsWith("x-amz-");
}

/** The bucket and the (decoded, possibly empty) key a request names. */
function bucketAndKey(
  pathname: string,
  host: string,
  contentType: string,
): { bucket: string; key: string } | undefined {
  const hostname = host.split(":")[0] ?? "";
  const formOrJson = /x-www-form-urlencoded|x-amz-json-1\.0/.test(contentType);
  const virtualHost = hostname.includes(".") && !/^\d+\.\d+\.\d+\.\d+$/.test(hostname) && !formOrJson;
  const path = virtualHost ? `/${hostname.slice(0, hostname.indexOf("."))}${pathname}` : pathname;

  const slash = path.indexOf("/", 1);
  const bucket = decodeURIComponent(slash < 0 ? path.slice(1) : path.slice(1, slash));
  const key = slash < 0 ? "" : decodeURIComponent(path.slice(slash + 1));
  return bucket ? { bucket, key } : undefined;
}
