import { type Agent, request as httpRequest } from "node:http";
import { type ObjectVersion, unquote } from "./s3-write-response.js";

/**
 * HEADs an object on the S3 server behind the front: its version, or `undefined` when the key does
 * not exist. Throws on anything else, so the delivery that needs it is retried.
 */
export function headS3Object(
  target: URL,
  agent: Agent,
  bucket: string,
  key: string,
): Promise<ObjectVersion | undefined> {
  const path = `/${encodeURIComponent(bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`;
  return new Promise((resolve, reject) => {
    const head = httpRequest(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: "HEAD",
        path,
        agent,
      },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        if (status === 404) return resolve(undefined);
        if (status !== 200) return reject(new Error(`HEAD ${path} answered ${status}`));
        resolve({
          size: Number(response.headers["content-length"] ?? 0),
          eTag: unquote(String(response.headers.etag ?? "")),
        });
      },
    );
    head.once("error", (error) => reject(new Error(`HEAD ${path} failed: ${error.message}`)));
    head.end();
  });
}
