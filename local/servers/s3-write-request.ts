import { type S3ObjectCreatedEventName, s3ObjectCreatedEvents } from "./s3-event-record.js";

export type S3WriteRequest = { eventName: S3ObjectCreatedEventName; bucket: string; key: string };

type RequestLine = {
  method: string;
  url: string;
  host: string;
  headers: Record<string, string | string[] | undefined>;
};

/**
 * Recognises the requests after which S3 emits `ObjectCreated:*`: PutObject, CopyObject and
 * CompleteMultipartUpload. Everything else (UploadPart, tagging, ACLs, bucket operations…) is
 * `undefined`. Path-style, plus virtual-host style the way fauxqs itself routes it.
 */
export function classifyS3Write(request: RequestLine): S3WriteRequest | undefined {
  const url = new URL(request.url, "http://front.invalid");
  const location = bucketAndKey(url.pathname, request.host, request.headers["content-type"]);
  if (!location) return undefined;
  const subresources = [...url.searchParams.keys()].filter(isSubresource);

  if (request.method === "PUT" && subresources.length === 0) {
    const copied = request.headers["x-amz-copy-source"] !== undefined;
    return { ...location, eventName: copied ? s3ObjectCreatedEvents.copy : s3ObjectCreatedEvents.put };
  }
  if (request.method === "POST" && url.searchParams.has("uploadId")) {
    return { ...location, eventName: s3ObjectCreatedEvents.completeMultipartUpload };
  }
  return undefined;
}

// The SDK adds `x-id=PutObject`, presigned URLs add `X-Amz-*`: neither makes it another operation.
function isSubresource(name: string): boolean {
  return name !== "x-id" && !name.toLowerCase().startsWith("x-amz-");
}

function bucketAndKey(
  pathname: string,
  host: string,
  contentType: string | string[] | undefined,
): { bucket: string; key: string } | undefined {
  const hostname = host.split(":")[0] ?? "";
  const formOrJson = String(contentType ?? "").match(/x-www-form-urlencoded|x-amz-json-1\.0/);
  const virtualHost = hostname.includes(".") && !/^\d+\.\d+\.\d+\.\d+$/.test(hostname) && !formOrJson;
  const path = virtualHost ? `/${hostname.slice(0, hostname.indexOf("."))}${pathname}` : pathname;

  const slash = path.indexOf("/", 1);
  if (slash < 0) return undefined;
  const bucket = decodeURIComponent(path.slice(1, slash));
  const key = decodeURIComponent(path.slice(slash + 1));
  return bucket && key ? { bucket, key } : undefined;
}
