import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaceRequest, UpstreamPaceStore } from "../../functions/core/ports.js";
import { uniqueName } from "../support/aws-clients.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

describe("the DynamoDB upstream pace store", () => {
  let stack: TestStack;
  let pace: UpstreamPaceStore;

  beforeAll(async () => {
    stack = await startTestStack({ simulator: false });
    pace = stack.deps.upstreamPace;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const now = 1_800_000_000_000;
  const at = (overrides: Partial<PaceRequest> = {}): PaceRequest => ({
    now,
    windowStartMs: now,
    limit: 3,
    maxInFlight: 0,
    ...overrides,
  });

  it("takes `limit` creates in a window, refuses the next with the count, and opens the next window", async () => {
    // Prepare
    const provider = uniqueName("provider");

    // Act
    const taken = [];
    for (let index = 0; index < 4; index++) taken.push(await pace.tryTake(provider, at()));
    const nextWindow = await pace.tryTake(provider, at({ now: now + 60_000, windowStartMs: now + 60_000 }));

    // Assess
    expect(taken.map((answer) => answer.ok)).toEqual([true, true, true, false]);
    expect(taken[3]).toEqual({ ok: false, state: { windowStartMs: now, count: 3 } });
    expect(nextWindow.ok).toBe(true);
  });

  it("admits every create that races to open a new window while it has budget", async () => {
    // Prepare: the item counts an older window.
    const provider = uniqueName("provider");
    await pace.tryTake(provider, at());
    const next = { now: now + 60_000, windowStartMs: now + 60_000, limit: 12 };

    // Act: a dozen creates at once, each finding the old window and trying to open the new one.
    const answers = await Promise.all(Array.from({ length: 12 }, () => pace.tryTake(provider, at(next))));
    const thirteenth = await pace.tryTake(provider, at(next));

    // Assess
    expect(answers.map((answer) => answer.ok)).toEqual(Array(12).fill(true));
    expect(thirteenth).toEqual({ ok: false, state: { windowStartMs: now + 60_000, count: 12 } });
  });

  it("holds a slowdown for every instance: half the limit, nothing until Retry-After", async () => {
    // Prepare
    const provider = uniqueName("provider");
    await pace.tryTake(provider, at({ limit: 4 }));
    await pace.slowDown(provider, { slowUntil: now + 180_000, slowLimit: 2, blockedUntil: now + 5_000 });

    // Act
    const blocked = await pace.tryTake(provider, at({ limit: 4, now: now + 1_000 }));
    const second = await pace.tryTake(provider, at({ limit: 4, now: now + 6_000 }));
    const third = await pace.tryTake(provider, at({ limit: 4, now: now + 7_000 }));

    // Assess
    expect(blocked).toEqual({
      ok: false,
      state: {
        windowStartMs: now,
        count: 1,
        slowUntil: now + 180_000,
        slowLimit: 2,
        blockedUntil: now + 5_000,
      },
    });
    expect(second.ok).toBe(true);
    expect(third.ok).toBe(false);
  });

  it("caps the tasks in flight and takes a slot back on release, never below zero", async () => {
    // Prepare
    const provider = uniqueName("provider");
    const capped = at({ limit: 0, maxInFlight: 2 });

    // Act
    const first = await pace.tryTake(provider, capped);
    const second = await pace.tryTake(provider, capped);
    const full = await pace.tryTake(provider, capped);
    await pace.release(provider);
    const afterRelease = await pace.tryTake(provider, capped);
    for (let index = 0; index < 4; index++) await pace.release(provider);
    const emptied = await pace.tryTake(provider, { ...capped, maxInFlight: 1 });

    // Assess
    expect([first.ok, second.ok, full.ok, afterRelease.ok, emptied.ok]).toEqual([
      true,
      true,
      false,
      true,
      true,
    ]);
    expect(full).toEqual({ ok: false, state: { inFlight: 2 } });
  });
});
