import { Readable, Transform } from "node:stream";

/**
 * Reads up to `bytes` from the start of `source` (fewer when it is shorter) and hands back those
 * bytes and a stream of the whole, so a format can be checked before the upload starts, without
 * holding more than `bytes` in memory.
 */
export async function peekStream(
  source: Readable,
  bytes: number,
): Promise<{ head: Buffer; whole: Readable }> {
  const iterator: AsyncIterator<Buffer> = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    chunks.push(next.value);
    size += next.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      yield head;
      if (ended) return;
      while (true) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      // Stopped early (a limit, a failed upload): release the source too.
      await iterator.return?.();
    }
  }
  const whole = Readable.from(replay(), { objectMode: false });
  // Destroyed before its first read, a stream of a generator never runs the generator's `finally`.
  whole.once("close", () => source.destroy());
  return { head, whole };
}

/** Raised inside a stream that passed its byte limit. */
export class ByteLimitExceeded extends Error {
  override name = "ByteLimitExceeded";
}

/** Passes bytes through until more than `maxBytes` have gone by, then fails the stream. */
export function limitBytes(maxBytes: number): Transform & { readonly exceeded: boolean } {
  let seen = 0;
  let exceeded = false;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) {
        exceeded = true;
        callback(new ByteLimitExceeded(`more than ${maxBytes} bytes`));
        return;
      }
      callback(null, chunk);
    },
  });
  return Object.defineProperty(transform, "exceeded", { get: () => exceeded }) as Transform & {
    readonly exceeded: boolean;
  };
}
