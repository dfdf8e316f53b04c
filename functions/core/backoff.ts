export type BackoffPolicy = { baseMs: number; capMs: number };

/**
 * Delay before retry number `attempt` (1 = first retry): exponential, capped, and "equal jitter"
 * (half the ceiling plus a random part of the other half), never shorter than half the ceiling,
 * so that many tasks failing together do not retry together.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponential = policy.baseMs * 2 ** Math.max(0, attempt - 1);
  const ceiling = Math.min(policy.capMs, exponential);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Honour the upstream's Retry-After when it asks for longer than our own backoff. */
export function retryDelay(
  attempt: number,
  policy: BackoffPolicy,
  retryAfterMs: number | undefined,
  random?: () => number,
): number {
  const ours = backoffDelay(attempt, policy, random);
  return retryAfterMs === undefined ? ours : Math.max(ours, Math.min(retryAfterMs, policy.capMs * 4));
}

/** Webhook retry schedule of the API contract: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h… about three days. */
export const webhookRetryScheduleMs: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/** Delay before webhook attempt `attemptsMade + 1`, or undefined when the schedule is exhausted. */
export function webhookRetryDelay(
  attemptsMade: number,
  retryAfterMs?: number,
  schedule: readonly number[] = webhookRetryScheduleMs,
): number | undefined {
  const scheduled = schedule[attemptsMade - 1];
  if (scheduled === undefined) return undefined;
  // A receiver's Retry-After is honoured up to a day, so a bogus value cannot park a delivery for years.
  return retryAfterMs === undefined ? scheduled : Math.max(scheduled, Math.min(retryAfterMs, 24 * 3_600_000));
}
