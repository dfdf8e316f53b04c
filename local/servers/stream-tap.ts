import type { Readable } from "node:stream";

export type TappedStream = {
  /** The bytes seen so far, at most the limit. */
  head(): Buffer;
  /** Settles once the stream ends (`complete`) or closes early (not `complete`); never rejects. */
  finished: Promise<{ head: Buffer; complete: boolean }>;
};

/**
 * Keeps a copy of the first `limit` bytes of a stream as they flow past, without slowing or
 * buffering the stream: whoever pipes it still sets the pace.
 */
export function tapStream(stream: Readable, limit: number): TappedStream {
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on("data", (chunk: Buffer) => {
    if (size >= limit) return;
    chunks.push(chunk);
    size += chunk.length;
  });
  const head = () => Buffer.concat(chunks).subarray(0, limit);
  const finished = new Promise<{ head: Buffer; complete: boolean }>((resolve) => {
    stream.once("end", () => resolve({ head: head(), complete: true }));
    stream.once("close", () => resolve({ head: head(), complete: false }));
    // An error is followed by "close"; listening keeps it from being thrown.
    stream.once("error", () => {});
  });
  return { head, finished };
}
