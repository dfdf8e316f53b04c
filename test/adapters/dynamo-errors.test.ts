import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { translateCancellation } from "../../functions/adapters/dynamo/dynamo-errors.js";
import { ConflictError, InternalError, StoreBusyError } from "../../functions/core/errors.js";

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: "Transaction cancelled",
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe("translateCancellation", () => {
  const byIndex = (index: number) => new ConflictError(`item ${index}`);

  it.each([
    [["ConditionalCheckFailed", "None"], ConflictError, "item 0"],
    [["None", "ConditionalCheckFailed"], ConflictError, "item 1"],
    [["None", "ConditionalCheckFailed", "ConditionalCheckFailed"], ConflictError, "item 1"],
    [["TransactionConflict", "None"], StoreBusyError, "TransactionConflict"],
    [["None", "ThrottlingError"], StoreBusyError, "ThrottlingError"],
    [["ProvisionedThroughputExceeded", "None"], StoreBusyError, "ProvisionedThroughputExceeded"],
    [["ValidationError", "None"], InternalError, "ValidationError"],
    [["None", "ItemCollectionSizeLimitExceeded"], InternalError, "ItemCollectionSizeLimitExceeded"],
  ])("maps %j to a domain error", (codes, kind, words) => {
    const error = translateCancellation(cancelled(...codes), byIndex);
    expect(error).toBeInstanceOf(kind);
    expect(error?.message).toContain(words);
  });

  it("leaves an error that is no cancelled transaction to the caller", () => {
    expect(translateCancellation(new Error("socket hang up"), byIndex)).toBeUndefined();
  });
});
