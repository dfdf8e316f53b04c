import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type FirstPollSettings,
  firstPollDelayMs,
  firstPollNudge,
  generationKind,
  nudgedEstimate,
} from "../../functions/core/first-poll.js";
import { generationTimes, modelFirstPolls } from "../support/first-poll-model.js";

const settings: FirstPollSettings = { intervalMs: 5_000, maxMs: 300_000, doneShare: 0.1 };

describe("first poll delay", () => {
  it("is the poll interval until something is learned, and when learning is off", () => {
    // Act / Assess
    expect(firstPollDelayMs(undefined, settings)).toBe(5_000);
    expect(firstPollDelayMs(Math.log(60_000), { ...settings, maxMs: 5_000 })).toBe(5_000);
    expect(firstPollDelayMs(Math.log(60_000), settings)).toBe(60_000);
  });

  it("stays within the interval and the cap whatever the estimate", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (estimate) => {
        const delay = firstPollDelayMs(estimate, settings);
        expect(delay).toBeGreaterThanOrEqual(settings.intervalMs);
        expect(delay).toBeLessThanOrEqual(settings.maxMs);
      }),
    );
  });

  it("never moves an estimate past its bounds by more than one step, whatever the answers", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 400 }), (answers) => {
        let estimate: number | undefined;
        for (const ended of answers) estimate = nudgedEstimate(estimate, firstPollNudge(ended, settings));
        const current = estimate ?? Math.log(settings.intervalMs);
        const up = firstPollNudge(false, settings).step;
        const down = firstPollNudge(true, settings).step;
        expect(current).toBeGreaterThan(Math.log(settings.intervalMs) + down);
        expect(current).toBeLessThan(Math.log(settings.maxMs) + up);
      }),
    );
  });

  it("learns to poll a 2-minute generation first near its early end, from the interval", () => {
    // Prepare: 2 minutes ± 20 %, evenly spread: 10 % of them end by 1 min 41 s.
    const duration = generationTimes(120_000, 0.2, 7);

    // Act
    const warmUp = modelFirstPolls(settings, duration, 200);
    const settled = modelFirstPolls(settings, duration, 2_000, warmUp.estimate);

    // Assess: the delay came up from 5 s, and about a tenth of first polls find the video ready.
    expect(firstPollDelayMs(warmUp.estimate, settings)).toBeGreaterThan(60_000);
    expect(settled.endedShare).toBeGreaterThan(0.05);
    expect(settled.endedShare).toBeLessThan(0.2);
    // Polled every 5 s from the start, a 2-minute generation takes 24 polls.
    expect(settled.pollsPerVideo).toBeLessThan(8);
  });

  it("comes down fast when generations get faster", () => {
    // Prepare: learned on 2-minute generations, then they take 20 s.
    const learned = modelFirstPolls(settings, generationTimes(120_000, 0.2, 11), 400).estimate;

    // Act
    const faster = modelFirstPolls(settings, generationTimes(20_000, 0.2, 12), 20, learned);

    // Assess
    expect(firstPollDelayMs(faster.estimate, settings)).toBeLessThan(25_000);
  });

  it("keys an estimate by provider, model, resolution and duration", () => {
    expect(
      generationKind({
        provider: "minimax",
        model: "hailuo/2-3-image-to-video-pro",
        resolution: "1080P",
        duration: "6",
      }),
    ).toBe("minimax#hailuo/2-3-image-to-video-pro#1080P#6s");
  });
});
