/**
 * When to ask the provider first about a generation it just took. A generation takes minutes, and
 * asking every UPSTREAM_POLL_INTERVAL_MS from the start spends a write, an upstream request and a
 * slice of the poller's run on each "still running" answer. So the first status poll waits for a
 * delay learned per kind of generation (provider, model, resolution, duration): the time by which a
 * set share of them (`doneShare`, 10 % by default) had finished at their first poll. After the first
 * poll, polls come every interval as before, so a generation that takes longer than the learned
 * delay is noticed as soon as ever; one that finishes earlier is noticed at the learned delay.
 *
 * The delay is learned by its natural log, one nudge per first poll (a stochastic quantile tracker):
 * up by `rate × doneShare` when the generation was still running, down by `rate × (1 − doneShare)`
 * when it had ended already. It settles where `doneShare` of first polls find the generation ended,
 * needs no history, and every nudge is one commutative add, so workers never contend on it.
 *
 * A provider's push ends most generations before their first poll, and those teach nothing (the
 * poll a push triggers is not the schedule's): only generations that outlast the delay do, so with
 * push the delay climbs to its cap, and polling becomes the fallback for a lost push, at most
 * UPSTREAM_FIRST_POLL_MAX_MS late. That is the point of push: no status polls.
 */

/** What a generation's time depends on, as one store key. */
export function generationKind(kind: {
  provider: string;
  model: string;
  resolution: string;
  duration: string;
}): string {
  return `${kind.provider}#${kind.model}#${kind.resolution}#${kind.duration}s`;
}

export type FirstPollSettings = {
  /** The poll interval: the first poll never comes sooner, and nothing learned yet means this. */
  intervalMs: number;
  /** The learned delay's cap (UPSTREAM_FIRST_POLL_MAX_MS); at or under the interval, nothing is learned. */
  maxMs: number;
  /** The share of generations meant to have ended by their first poll (UPSTREAM_FIRST_POLL_DONE_SHARE). */
  doneShare: number;
};

/** How far one first poll moves the delay's log: at a 10 % share, ×1.025 when still running, ×0.80 when ended. */
export const learningRate = 0.25;

export function learnsFirstPoll(settings: FirstPollSettings): boolean {
  return settings.maxMs > settings.intervalMs;
}

/** The first poll's delay for a learned estimate (the natural log of ms), within the interval and the cap. */
export function firstPollDelayMs(estimate: number | undefined, settings: FirstPollSettings): number {
  if (estimate === undefined || !Number.isFinite(estimate) || !learnsFirstPoll(settings)) {
    return settings.intervalMs;
  }
  return Math.min(settings.maxMs, Math.max(settings.intervalMs, Math.round(Math.exp(estimate))));
}

/**
 * The nudge one first poll's answer gives the estimate: its `step`, where an estimate not yet stored
 * `start`s (the interval), and the `bound` it may not pass (a step only moves an estimate still
 * inside its range, so it never wanders beyond the range and takes long to come back).
 */
export type FirstPollNudge = { step: number; start: number; bound: number };

export function firstPollNudge(ended: boolean, settings: FirstPollSettings): FirstPollNudge {
  const { intervalMs, maxMs, doneShare } = settings;
  return ended
    ? { step: -learningRate * (1 - doneShare), start: Math.log(intervalMs), bound: Math.log(intervalMs) }
    : { step: learningRate * doneShare, start: Math.log(intervalMs), bound: Math.log(maxMs) };
}

/** The estimate after `nudge`, as the store applies it: pure, for tests and the cost benchmark's model. */
export function nudgedEstimate(estimate: number | undefined, nudge: FirstPollNudge): number {
  const current = estimate ?? nudge.start;
  const inRange = nudge.step < 0 ? current > nudge.bound : current < nudge.bound;
  return inRange ? current + nudge.step : current;
}
