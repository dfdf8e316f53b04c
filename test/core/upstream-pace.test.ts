import { describe, expect, it } from "vitest";
import type { PaceState } from "../../functions/core/ports.js";
import {
  admits,
  deferredUntil,
  effectiveLimit,
  fairOrder,
  fairOrderUntil,
  guardedUntil,
  nextChanceAt,
  type PaceSettings,
  paceRequest,
  sendByOf,
  slowdownAfter,
  windowStartOf,
} from "../../functions/core/upstream-pace.js";

const settings: PaceSettings = {
  rpm: 20,
  windowMs: 60_000,
  maxInFlight: 0,
  slowdownMs: 180_000,
  inFlightWaitMs: 5_000,
};
/** 10 s into a minute. */
const now = 1_700_000_000_000 - (1_700_000_000_000 % 60_000) + 10_000;
const windowStart = now - 10_000;

describe("fairOrder", () => {
  it("takes one task of each tenant in turn, each tenant's tasks oldest first", () => {
    // Prepare
    const big = Array.from({ length: 5 }, (_, index) => ({ tenantId: "big", id: `b${index}` }));
    const small = [
      { tenantId: "small", id: "s0" },
      { tenantId: "small", id: "s1" },
    ];

    // Act
    const ordered = fairOrder([...big.slice(0, 3), ...small, ...big.slice(3)]);

    // Assess
    expect(ordered.map(({ item }) => item.id)).toEqual(["b0", "s0", "b1", "s1", "b2", "b3", "b4"]);
    expect(ordered.map(({ rank }) => rank)).toEqual([0, 0, 1, 1, 2, 3, 4]);
  });

  it("keeps everything when one tenant alone is waiting, and answers nothing for nothing", () => {
    expect(fairOrder([{ tenantId: "a" }, { tenantId: "a" }]).map(({ rank }) => rank)).toEqual([0, 1]);
    expect(fairOrder([])).toEqual([]);
  });
});

describe("the shared budget's rule", () => {
  const request = paceRequest(settings, now);

  it("counts in windows aligned to the epoch, the same for every instance", () => {
    expect(windowStartOf(now, 60_000)).toBe(windowStart);
    expect(request).toEqual({ now, windowStartMs: windowStart, limit: 20, maxInFlight: 0 });
  });

  it("admits until the window's count reaches the limit, and again in the next window", () => {
    expect(admits({}, request)).toBe(true);
    expect(admits({ windowStartMs: windowStart, count: 19 }, request)).toBe(true);
    expect(admits({ windowStartMs: windowStart, count: 20 }, request)).toBe(false);
    expect(admits({ windowStartMs: windowStart - 60_000, count: 20 }, request)).toBe(true);
  });

  it("halves the limit while a slowdown lasts, and blocks until Retry-After", () => {
    const slowed = slowdownAfter(settings, now, 7_000);
    expect(slowed).toEqual({ slowUntil: now + 180_000, slowLimit: 10, blockedUntil: now + 7_000 });

    const state: PaceState = { windowStartMs: windowStart, count: 10, ...slowed };
    expect(admits(state, request)).toBe(false);
    expect(nextChanceAt(state, request, settings)).toBe(windowStart + 60_000);
    const later = paceRequest(settings, now + 8_000);
    expect(admits({ ...state, count: 9 }, later)).toBe(true);
    expect(admits({ ...state, count: 9 }, request)).toBe(false);
    expect(nextChanceAt({ ...state, count: 9 }, request, settings)).toBe(now + 7_000);
    expect(effectiveLimit(state, 20, now + 181_000)).toBe(20);
  });

  it("blocks at least one create's share of the window when the provider names no Retry-After", () => {
    expect(slowdownAfter(settings, now, undefined).blockedUntil).toBe(now + 3_000);
    expect(slowdownAfter({ ...settings, rpm: 1 }, now, undefined).slowLimit).toBe(1);
  });

  it("caps the tasks held upstream, and tries again after a poll interval", () => {
    const capped = paceRequest({ ...settings, rpm: 0, maxInFlight: 3 }, now);
    expect(admits({ inFlight: 2 }, capped)).toBe(true);
    expect(admits({ inFlight: 3 }, capped)).toBe(false);
    expect(nextChanceAt({ inFlight: 3 }, capped, settings)).toBe(now + 5_000);
  });
});

describe("guardedUntil", () => {
  it("sends no create in the window's last tenth (two seconds at most), so none lands in the next window", () => {
    const nextWindow = windowStart + 60_000;
    expect(guardedUntil(settings, nextWindow - 2_001)).toBeUndefined();
    expect(guardedUntil(settings, nextWindow - 2_000)).toBe(nextWindow);
    expect(guardedUntil({ ...settings, windowMs: 5_000 }, windowStart + 4_600)).toBe(windowStart + 5_000);
    expect(guardedUntil({ ...settings, rpm: 0 }, nextWindow - 1)).toBeUndefined();
  });
});

describe("fairOrderUntil", () => {
  it("holds a sweep's order of waiting tasks until the end of the window it was made in", () => {
    const nextWindow = windowStart + 60_000;
    expect(fairOrderUntil(settings, windowStart)).toBe(nextWindow);
    expect(fairOrderUntil(settings, nextWindow - 1)).toBe(nextWindow);
    expect(fairOrderUntil(settings, nextWindow)).toBe(nextWindow + 60_000);
    expect(fairOrderUntil({ ...settings, rpm: 0, maxInFlight: 4 }, windowStart)).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
});

describe("sendByOf", () => {
  it("gives a create admitted anywhere in a window until that window's guard band begins", () => {
    const nextWindow = windowStart + 60_000;
    expect(sendByOf(settings, windowStart)).toBe(nextWindow - 2_000);
    expect(sendByOf(settings, nextWindow - 2_001)).toBe(nextWindow - 2_000);
    expect(sendByOf(settings, nextWindow)).toBe(nextWindow + 58_000);
    expect(sendByOf({ ...settings, windowMs: 5_000 }, windowStart + 100)).toBe(windowStart + 4_500);
    expect(sendByOf({ ...settings, rpm: 0 }, windowStart)).toBeUndefined();
  });
});

describe("deferredUntil", () => {
  it("brings a tenant's waiting tasks back one share of the window apart, by rank", () => {
    const noJitter = () => 0;
    const chance = windowStart + 60_000;

    expect(deferredUntil(chance, 0, settings, noJitter)).toBe(chance);
    expect(deferredUntil(chance, 1, settings, noJitter)).toBe(chance + 3_000);
    expect(deferredUntil(chance, 9, settings, noJitter)).toBe(chance + 27_000);
    // The jitter stays inside one share, so ranks never overtake each other.
    expect(deferredUntil(chance, 0, settings, () => 0.999)).toBeLessThan(chance + 3_000);
  });
});
