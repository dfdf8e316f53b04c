import { createReadStream } from "node:fs";
import { Readable } from "node:stream";

/**
 * A rendered MP4 grown to `totalBytes` by an MP4 `free` box at its end (players skip it), generated
 * on the fly so a 2 GB video costs no disk. Every 64 KiB block of padding starts with its own index,
 * so bytes resumed from a wrong offset do not hash the same.
 */
export type PaddedVideo = { size: number; open(start: number, endInclusive: number): Readable };

const blockBytes = 64 * 1024;
const headerBytes = 16; // size 1 + type "free" + 64-bit large size

export const paddedVideo = (path: string, fileBytes: number, totalBytes: number): PaddedVideo => {
  const size = Math.max(fileBytes, totalBytes);
  const padding = size - fileBytes;
  // Below a header's size no box fits: the file is served as it is.
  if (padding < headerBytes) return { size: fileBytes, open: (start, end) => fileRange(path, start, end) };
  const header = Buffer.alloc(headerBytes);
  header.writeUInt32BE(1, 0);
  header.write("free", 4, "latin1");
  header.writeBigUInt64BE(BigInt(padding), 8);
  return {
    size,
    open(start, endInclusive) {
      async function* bytes() {
        if (start < fileBytes) yield* fileRange(path, start, Math.min(endInclusive, fileBytes - 1));
        for (let offset = Math.max(start, fileBytes); offset <= endInclusive; ) {
          const block = paddingBlock(offset - fileBytes, header);
          const within = (offset - fileBytes) % blockBytes;
          const take = Math.min(block.length - within, endInclusive - offset + 1);
          yield block.subarray(within, within + take);
          offset += take;
        }
      }
      return Readable.from(bytes(), { objectMode: false });
    },
  };
};

function fileRange(path: string, start: number, endInclusive: number): Readable {
  return createReadStream(path, { start, end: endInclusive });
}

/** The padding block holding padding byte `position`: the box header first, then indexed blocks. */
function paddingBlock(position: number, header: Buffer): Buffer {
  const index = Math.floor(position / blockBytes);
  const block = Buffer.alloc(blockBytes, index % 251);
  block.writeBigUInt64BE(BigInt(index), index === 0 ? headerBytes : 0);
  if (index === 0) header.copy(block, 0);
  return block;
}

/** `bytes=a-b` / `bytes=a-` of a body of `size` bytes, or undefined when absent or unsatisfiable. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined {
  const match = /^bytes=(\d+)-(\d*)$/.exec(header ?? "");
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
  return start <= end ? { start, end } : undefined;
}
