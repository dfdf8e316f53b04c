import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectImageFormat, imageMimeType, readImageInfo } from "../../functions/core/image/image-info.js";
import { ffmpegPath } from "../../local/media/ffmpeg-paths.js";
import { runProcess } from "../../local/media/run-process.js";

const width = 333;
const height = 197;

/** Encodes a test pattern with ffmpeg (scaled, since testsrc2 only makes even sizes) so fixtures are real encoder output. */
const encode = async (folder: string, fileName: string, encoderArguments: string[]): Promise<Buffer> => {
  const path = join(folder, fileName);
  await runProcess(ffmpegPath, [
    ...["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"],
    ...[
      "-i",
      `testsrc2=size=${width + 1}x${height + 1}:rate=1,scale=${width}:${height}`,
      "-frames:v",
      "1",
      ...encoderArguments,
      path,
    ],
  ]);
  return readFile(path);
};

const vp8xHeader = (canvasWidth: number, canvasHeight: number): Buffer => {
  const bytes = Buffer.alloc(30);
  bytes.write("RIFF", 0, "ascii");
  bytes.writeUInt32LE(22, 4);
  bytes.write("WEBP", 8, "ascii");
  bytes.write("VP8X", 12, "ascii");
  bytes.writeUInt32LE(10, 16);
  bytes.writeUIntLE(canvasWidth - 1, 24, 3);
  bytes.writeUIntLE(canvasHeight - 1, 27, 3);
  return bytes;
};

/** A progressive JPEG's header (SOF2) after an APP0 segment, built by hand. */
const progressiveJpegHeader = (imageWidth: number, imageHeight: number): Buffer =>
  Buffer.from([
    ...[0xff, 0xd8],
    ...[
      0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
      0x00,
    ],
    ...[0xff, 0xc4, 0x00, 0x03, 0x00],
    ...[
      0xff,
      0xc2,
      0x00,
      0x11,
      0x08,
      imageHeight >> 8,
      imageHeight & 0xff,
      imageWidth >> 8,
      imageWidth & 0xff,
      0x03,
    ],
    ...Array.from({ length: 9 }, () => 0),
  ]);

describe("image-info", () => {
  let folder: string;
  let fixtures: Record<"jpeg" | "png" | "webpLossy" | "webpLossless", Buffer>;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "image-info-"));
    const [jpeg, png, webpLossy, webpLossless] = await Promise.all([
      encode(folder, "pattern.jpg", ["-q:v", "5"]),
      encode(folder, "pattern.png", []),
      encode(folder, "lossy.webp", ["-c:v", "libwebp", "-lossless", "0"]),
      encode(folder, "lossless.webp", ["-c:v", "libwebp", "-lossless", "1"]),
    ]);
    fixtures = { jpeg, png, webpLossy, webpLossless };
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it("reads a JPEG's size from its start-of-frame marker", () => {
    expect(readImageInfo(fixtures.jpeg)).toEqual({ format: "jpeg", width, height });
  });

  it("reads a progressive JPEG's size, skipping the segments before SOF2", () => {
    expect(readImageInfo(progressiveJpegHeader(4032, 3024))).toEqual({
      format: "jpeg",
      width: 4032,
      height: 3024,
    });
  });

  it("reads a PNG's size from its IHDR chunk", () => {
    expect(readImageInfo(fixtures.png)).toEqual({ format: "png", width, height });
  });

  it("reads a lossy WebP's size from its VP8 frame header", () => {
    expect(fixtures.webpLossy.subarray(12, 16).toString("ascii")).toBe("VP8 ");
    expect(readImageInfo(fixtures.webpLossy)).toEqual({ format: "webp", width, height });
  });

  it("reads a lossless WebP's size from its VP8L header", () => {
    expect(fixtures.webpLossless.subarray(12, 16).toString("ascii")).toBe("VP8L");
    expect(readImageInfo(fixtures.webpLossless)).toEqual({ format: "webp", width, height });
  });

  it("reads an extended WebP's canvas size from its VP8X chunk", () => {
    expect(readImageInfo(vp8xHeader(5000, 3000))).toEqual({ format: "webp", width: 5000, height: 3000 });
  });

  it("detects the format by magic bytes and names its MIME type", () => {
    expect(detectImageFormat(fixtures.jpeg)).toBe("jpeg");
    expect(detectImageFormat(fixtures.png)).toBe("png");
    expect(detectImageFormat(fixtures.webpLossy)).toBe("webp");
    expect(imageMimeType("webp")).toBe("image/webp");
  });

  it("answers undefined for bytes that are not a JPEG, PNG or WebP", () => {
    expect(detectImageFormat(Buffer.from("GIF89a......"))).toBeUndefined();
    expect(readImageInfo(Buffer.from("<html>not an image</html>"))).toBeUndefined();
    expect(readImageInfo(Buffer.alloc(0))).toBeUndefined();
  });

  it("answers undefined for a truncated header instead of throwing", () => {
    for (const fixture of Object.values(fixtures)) {
      for (const length of [3, 8, 12, 20, 25]) {
        expect(() => readImageInfo(fixture.subarray(0, length))).not.toThrow();
      }
    }
    expect(readImageInfo(fixtures.png.subarray(0, 20))).toBeUndefined();
    expect(readImageInfo(progressiveJpegHeader(10, 10).subarray(0, 30))).toBeUndefined();
  });
});
