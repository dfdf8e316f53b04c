import { ConflictError } from "./errors.js";

/**
 * The one way a worker takes a task or a webhook delivery: only when no lease holds it and it is
 * due (the due index is eventually consistent, and a backoff or a Retry-After may not have run
 * out), for `leaseMs`. `save` writes the leased version conditionally on the version read; another
 * worker that wrote first (ConflictError) means "not taken", not a failure.
 */
export async function takeLease<Leased extends { leaseUntil?: number }>(
  record: Leased,
  dueAt: number | undefined,
  timing: { now: number; leaseMs: number },
  save: (leaseUntil: number) => Promise<Leased>,
): Promise<Leased | undefined> {
  const { now, leaseMs } = timing;
  if ((record.leaseUntil ?? 0) > now || (dueAt ?? 0) > now) return undefined;
  try {
    return await save(now + leaseMs);
  } catch (error) {
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
}
