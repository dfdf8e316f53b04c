import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { backoffDelay } from "../../core/backoff.js";
import { InternalError, StoreBusyError } from "../../core/errors.js";

const nameOf = (error: unknown): string | undefined => (error as { name?: string } | undefined)?.name;

export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException || nameOf(error) === "ConditionalCheckFailedException"
  );
}

/** The cancellation reason codes of a failed transaction, one per item, or undefined. */
export function cancellationCodes(error: unknown): (string | undefined)[] | undefined {
  if (!(error instanceof TransactionCanceledException) && nameOf(error) !== "TransactionCanceledException") {
    return undefined;
  }
  return ((error as TransactionCanceledException).CancellationReasons ?? []).map((reason) => reason.Code);
}

/** The index of the first item whose condition failed in a cancelled transaction, or undefined. */
export function failedConditionIndex(error: unknown): number | undefined {
  const index = cancellationCodes(error)?.indexOf("ConditionalCheckFailed") ?? -1;
  return index >= 0 ? index : undefined;
}

/** Reasons that pass with time: another transaction held an item, or the table is throttled. */
const busyReasons = new Set(["TransactionConflict", "ProvisionedThroughputExceeded", "ThrottlingError"]);

/**
 * The one translation of a cancelled transaction into a domain error, looking at every item's reason
 * (DynamoDB names one per item; `None` for the items that were fine). A failed condition is the
 * caller's to name (`conditionFailed(index)`), the first one wins; throttling and collisions are a
 * StoreBusyError; a ValidationError or an item collection over its size is a defect of ours. Answers
 * undefined when `error` is not a cancelled transaction, so the caller rethrows it as it is.
 */
export function translateCancellation(
  error: unknown,
  conditionFailed: (index: number) => Error,
): Error | undefined {
  const codes = cancellationCodes(error);
  if (!codes) return undefined;
  const failedCondition = failedConditionIndex(error);
  if (failedCondition !== undefined) return conditionFailed(failedCondition);
  if (codes.some((code) => code !== undefined && busyReasons.has(code))) {
    return new StoreBusyError(`the transaction was cancelled (${codes.join(", ")}); try again later`, {
      cause: error,
    });
  }
  return new InternalError(`the transaction was cancelled (${codes.join(", ")})`, { cause: error });
}

/** Concurrent transactions on one item (a hot tenant) collide; trying again is the remedy. */
export function isTransactionConflict(error: unknown): boolean {
  const codes = cancellationCodes(error);
  return (
    (codes?.includes("TransactionConflict") ?? false) || nameOf(error) === "TransactionConflictException"
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
