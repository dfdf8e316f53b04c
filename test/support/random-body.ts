import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";

/** A stream of `size` random bytes made on the fly, and the SHA-256 of those bytes once read. */
export function randomBodyStream(
  size: number,
  chunkSize = 256 * 1024,
): { stream: Readable; sha256: Promise<string> } {
  const hash = createHash("sha256");
  let resolveDigest: (digest: string) => void = () => {};
  const sha256 = new Promise<string>((resolve) => {
    resolveDigest = resolve;
  });
  async function* chunks() {
    for (let sent = 0; sent < size; sent += chunkSize) {
      const chunk = randomBytes(Math.min(chunkSize, size - sent));
      hash.update(chunk);
      yield chunk;
    }
    resolveDigest(hash.digest("hex"));
  }
  return { stream: Readable.from(chunks()), sha256 };
}

/** SHA-256 of a body as the SDK returns it, read as a stream (never held in memory whole). */
export async function sha256Of(body: AsyncIterable<Uint8Array> | undefined): Promise<string> {
  if (!body) throw new Error("no body");
  const hash = createHash("sha256");
  for await (const chunk of body) hash.update(chunk);
  return hash.digest("hex");
}
