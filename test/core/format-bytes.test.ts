import { describe, expect, it } from "vitest";
import { formatBytes } from "../../functions/core/format-bytes.js";

describe("formatBytes", () => {
  it("says bytes, KB or MB, whichever reads best", () => {
    expect(formatBytes(640)).toBe("640 bytes");
    expect(formatBytes(14_200)).toBe("14 KB");
    expect(formatBytes(20 * 1024 * 1024)).toBe("20 MB");
    expect(formatBytes(3.25 * 1024 * 1024)).toBe("3.3 MB");
  });
});
