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
  return takeTurn(record, dueAt, now, () => save(now + leaseMs));
}

/**
 * A turn is a lease's lighter sibling, for a step that is safe to repeat (a status poll): no lease is
 * taken, the one conditional write `save` moves the record's next time on, so of two workers only
 * one takes this turn, and one that stops mid-step leaves the record to its next turn. `dueAt`
 * undefined takes the turn early (a provider's push says it is worth taking now).
 */
export async function takeTurn<Turned extends { leaseUntil?: number }>(
  record: Turned,
  dueAt: number | undefined,
  now: number,
  save: () => Promise<Turned>,
): Promise<Turned | undefined> {
  if ((record.leaseUntil ?? 0) > now || (dueAt ?? 0) > now) return undefined;
  try {
    return await save();
  } catch (error) {
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
}
