import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { backoffDelay } from "../../core/backoff.js";

export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string })?.name === "ConditionalCheckFailedException"
  );
}

/** The cancellation reason codes of a failed transaction, one per item, or undefined. */
export function cancellationCodes(error: unknown): (string | undefined)[] | undefined {
  if (
    !(error instanceof TransactionCanceledException) &&
    (error as { name?: string })?.name !== "TransactionCanceledException"
  ) {
    return undefined;
  }
  return ((error as TransactionCanceledException).CancellationReasons ?? []).map((reason) => reason.Code);
}

/** Concurrent transactions on one item (a hot tenant) collide; trying again is the remedy. */
export function isTransactionConflict(error: unknown): boolean {
  const codes = cancellationCodes(error);
  return (
    (codes?.includes("TransactionConflict") ?? false) ||
    (error as { name?: string })?.name === "TransactionConflictException"
  );
}

/**
 * Tries a transaction again while it collides with others on the same item (a hot tenant: every
 * create of one tenant charges its one item). Jittered so that the colliding writers spread out;
 * capped so that the last of 50 at once still answers within a few seconds.
 */
export async function withConflictRetries<T>(
  operation: () => Promise<T>,
  attempts = conflictRetryPolicy.attempts,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isTransactionConflict(error) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, conflictRetryPolicy)));
    }
  }
}

export const conflictRetryPolicy = { attempts: 10, baseMs: 20, capMs: 400 } as const;
