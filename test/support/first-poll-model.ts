import {
  type FirstPollSettings,
  firstPollDelayMs,
  firstPollNudge,
  nudgedEstimate,
} from "../../functions/core/first-poll.js";

/** A deterministic stream of numbers in [0, 1) (mulberry32): model runs that repeat exactly. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Generations of `meanMs` ± `spread` (a share), evenly spread, from a seeded stream. */
export function generationTimes(meanMs: number, spread: number, seed: number): () => number {
  const random = seeded(seed);
  return () => meanMs * (1 - spread + 2 * spread * random());
}

export type ModelRun = {
  /** The estimate after the run, to start the next one from. */
  estimate: number | undefined;
  /** The share of generations that had ended by their first poll. */
  endedShare: number;
  /** Status polls per generation, the first and the one that finds it ended included. */
  pollsPerVideo: number;
  /** Mean delay from a generation's end to the poll that finds it, in ms. */
  noticeDelayMs: number;
};

/**
 * `count` generations one after another through the first-poll learning, each polled first at the
 * learned delay and then every interval until it has ended, as the poller does (pure: no store).
 */
export function modelFirstPolls(
  settings: FirstPollSettings,
  durationMs: () => number,
  count: number,
  start?: number,
): ModelRun {
  let estimate = start;
  let ended = 0;
  let polls = 0;
  let delay = 0;
  for (let index = 0; index < count; index++) {
    const duration = durationMs();
    const first = firstPollDelayMs(estimate, settings);
    const endedAtFirst = duration <= first;
    const repeats = endedAtFirst ? 0 : Math.ceil((duration - first) / settings.intervalMs);
    if (endedAtFirst) ended++;
    polls += 1 + repeats;
    delay += first + repeats * settings.intervalMs - duration;
    estimate = nudgedEstimate(estimate, firstPollNudge(endedAtFirst, settings));
  }
  return { estimate, endedShare: ended / count, pollsPerVideo: polls / count, noticeDelayMs: delay / count };
}
