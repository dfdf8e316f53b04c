import { describe, expect, it } from "vitest";
import { checkImage } from "../../functions/core/image/image-rules.js";

function pngHeader(width: number, height: number): Uint8Array {
  const bytes = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0);
  bytes.writeUInt32BE(13, 8);
  bytes.write("IHDR", 12, "ascii");
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes;
}

describe("the image rules", () => {
  it("accepts a 16:9 PNG over 300 px", () => {
    expect(checkImage(pngHeader(1920, 1080), 1_000)).toMatchObject({ ok: true, info: { format: "png" } });
  });

  it("refuses what is not a JPEG, PNG or WebP, whatever its name", () => {
    expect(checkImage(Buffer.from("hello, I am text"), 16)).toEqual({
      ok: false,
      problem: "the file is not a JPEG, PNG or WebP image",
    });
  });

  it("refuses a short side of 300 px or less, and extreme aspect ratios", () => {
    expect(checkImage(pngHeader(1000, 300), 1_000)).toMatchObject({ ok: false });
    expect(checkImage(pngHeader(301, 301), 1_000)).toMatchObject({ ok: true });
    expect(checkImage(pngHeader(1000, 400), 1_000).ok).toBe(true);
    const tooWide = checkImage(pngHeader(1010, 400), 1_000);
    expect(tooWide).toMatchObject({ ok: false });
    expect(tooWide.ok ? "" : tooWide.problem).toContain("2:5 and 5:2");
  });

  it("refuses more than 20 MB", () => {
    const verdict = checkImage(pngHeader(1920, 1080), 21 * 1024 * 1024);
    expect(verdict.ok ? "" : verdict.problem).toContain("20 MB");
  });
});
