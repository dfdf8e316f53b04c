import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ffmpegPath } from "../../../local/media/ffmpeg-paths.js";
import { runProcess } from "../../../local/media/run-process.js";

/** A real JPEG of the given size (a test pattern), made by ffmpeg. */
export function makeJpeg(width: number, height: number, quality = 8): Promise<Uint8Array> {
  return makeImage(width, height, "jpg", ["-q:v", String(quality)]);
}

/** A real PNG or WebP of the given size, made by ffmpeg. */
export function makeImageOf(format: "png" | "webp", width: number, height: number): Promise<Uint8Array> {
  return makeImage(width, height, format, format === "webp" ? ["-c:v", "libwebp"] : []);
}

async function makeImage(
  width: number,
  height: number,
  extension: string,
  encoderOptions: string[],
): Promise<Uint8Array> {
  const folder = await mkdtemp(join(tmpdir(), "ingest-image-"));
  try {
    const path = join(folder, `image.${extension}`);
    await runProcess(ffmpegPath, [
      "-hide_banner",
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=${width}x${height}:rate=1`,
      "-frames:v",
      "1",
      ...encoderOptions,
      "-y",
      path,
    ]);
    return new Uint8Array(await readFile(path));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * The same picture with other bytes (a new ETag): readers ignore what follows a JPEG's end marker.
 */
export function withTrailer(jpeg: Uint8Array, trailer: string): Uint8Array {
  return new Uint8Array(Buffer.concat([jpeg, Buffer.from(trailer)]));
}
