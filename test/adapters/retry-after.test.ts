import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../functions/adapters/upstream/retry-after.js";

const now = Date.parse("2025-11-25T06:00:00.000Z");

describe("parseRetryAfter", () => {
  it.each([
    ["7", 7_000],
    ["0", 0],
    ["120", 120_000],
  ])("reads delta-seconds %j as %i ms", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it("reads an HTTP date as the time left until it", () => {
    expect(parseRetryAfter("Tue, 25 Nov 2025 06:00:30 GMT", now)).toBe(30_000);
  });

  it("reads an HTTP date already past as no wait at all", () => {
    expect(parseRetryAfter("Tue, 25 Nov 2025 05:59:00 GMT", now)).toBe(0);
  });

  it.each([null, "", "soon", "in a minute", "NaN", "-3", "0x10", "1e3", "abc 2"])(
    "answers undefined for %j",
    (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    },
  );
});
