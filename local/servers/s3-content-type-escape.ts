/**
 * fauxqs parses two media types itself, for SNS (`application/x-www-form-urlencoded`) and SQS
 * (`application/x-amz-json-1.0`), on every route: an S3 PUT with either type (curl's default for
 * `--data-binary` is the first) reaches its S3 code as a parsed object and answers 500. S3 stores any
 * content type as given, so the front hides these two types from fauxqs on S3 requests and restores
 * them in S3's answers: the object is stored, listed and served with the type its writer gave.
 */
const parsedByFauxqs = /^\s*application\/(x-www-form-urlencoded|x-amz-json-1\.0)\s*(;|$)/i;
const escapedType = "application/x-local-s3-escaped";
const escapedPattern = /^application\/x-local-s3-escaped; original=([A-Za-z0-9_-]+)$/;

/** Raw headers of a request for fauxqs: the content type escaped unless the request is SQS's or SNS's. */
export function escapeRequestHeaders(
  method: string | undefined,
  url: string | undefined,
  rawHeaders: string[],
) {
  // SQS and SNS requests are POSTs to the root; every other request is S3's.
  if (method === "POST" && (url ?? "/").split("?")[0] === "/") return rawHeaders;
  return mapContentType(rawHeaders, (value) =>
    parsedByFauxqs.test(value)
      ? `${escapedType}; original=${Buffer.from(value).toString("base64url")}`
      : value,
  );
}

/** Raw headers of an answer from fauxqs, with an escaped content type restored to what was written. */
export function restoreResponseHeaders(rawHeaders: string[]): string[] {
  return mapContentType(rawHeaders, (value) => {
    const original = escapedPattern.exec(value)?.[1];
    return original === undefined ? value : Buffer.from(original, "base64url").toString();
  });
}

function mapContentType(rawHeaders: string[], map: (value: string) => string): string[] {
  const mapped = [...rawHeaders];
  for (let index = 0; index + 1 < mapped.length; index += 2) {
    if (mapped[index]?.toLowerCase() !== "content-type") continue;
    mapped[index + 1] = map(mapped[index + 1] ?? "");
  }
  return mapped;
}
