import { describe, expect, it } from "vitest";
import { outputDimensions } from "../../local/media/render-video.js";

describe("outputDimensions", () => {
  it.each([
    [1920, 1080, 768, 1366, 768],
    [1080, 1920, 768, 768, 1366],
    [1000, 1000, 768, 768, 768],
    [1920, 1080, 1080, 1920, 1080],
    [1080, 1920, 1080, 1080, 1920],
    [1001, 667, 768, 1152, 768],
    [667, 1001, 768, 768, 1152],
    [333, 500, 1080, 1080, 1622],
    [2000, 800, 768, 1920, 768],
  ])("gives %i×%i at short side %i as %i×%i", (width, height, shortSide, expectedWidth, expectedHeight) => {
    expect(outputDimensions(width, height, shortSide)).toEqual({
      width: expectedWidth,
      height: expectedHeight,
    });
  });

  it("keeps both sides even for any aspect ratio", () => {
    for (let width = 300; width <= 2000; width += 37) {
      for (const height of [301, 480, 767, 1080, 1999]) {
        const output = outputDimensions(width, height, 768);
        expect(output.width % 2).toBe(0);
        expect(output.height % 2).toBe(0);
        expect(Math.min(output.width, output.height)).toBe(768);
        expect(Math.abs(output.width / output.height - width / height)).toBeLessThan(0.01);
      }
    }
  });

  it("rejects sizes that are not positive", () => {
    expect(() => outputDimensions(0, 100, 768)).toThrow(RangeError);
  });
});
