import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type FirstPollNudge, nudgedEstimate } from "../../core/first-poll.js";
import type { FirstPollStore } from "../../core/ports.js";
import type { DynamoConnection } from "./dynamo-client.js";
import { isConditionFailure } from "./dynamo-errors.js";
import { itemKeys } from "./item-keys.js";

/** How long an instance keeps an estimate it read; its own nudges apply to its copy at once. */
export const estimateCacheMs = 60_000;

/** A read in flight or done: creates that miss the cache at once share one GetItem. */
type Cached = { estimate: Promise<number | undefined>; readAt: number };

/**
 * One small item per kind of generation. A nudge is one UpdateItem that adds its step to the
 * estimate if the estimate is still inside its bound: commutative, so concurrent first polls never
 * conflict, and it reads nothing. Reads are eventually consistent and kept for a minute per
 * instance: an estimate a little old only moves one first poll a little.
 */
export function createDynamoFirstPollStore({ client, tableName }: DynamoConnection): FirstPollStore {
  const cache = new Map<string, Cached>();
  return {
    readEstimate(kind) {
      const cached = cache.get(kind);
      if (cached && Date.now() - cached.readAt < estimateCacheMs) return cached.estimate;
      const estimate = client
        .send(new GetCommand({ TableName: tableName, Key: itemKeys.firstPoll(kind) }))
        .then(({ Item }) => (typeof Item?.estimate === "number" ? Item.estimate : undefined));
      cache.set(kind, { estimate, readAt: Date.now() });
      // A failed read is not kept: the next create asks again.
      estimate.catch(() => cache.delete(kind));
      return estimate;
    },
    async nudgeEstimate(kind, nudge: FirstPollNudge) {
      const cached = cache.get(kind);
      if (cached) {
        // (A read that failed has dropped its entry already: nothing to nudge, nothing to throw.)
        cached.estimate = cached.estimate.then(
          (estimate) => nudgedEstimate(estimate, nudge),
          () => undefined,
        );
      }
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: itemKeys.firstPoll(kind),
            UpdateExpression: "SET #estimate = if_not_exists(#estimate, :start) + :step",
            // Down from nothing stored is down from the start, which is the lower bound: no move.
            ConditionExpression:
              nudge.step < 0 ? "#estimate > :bound" : "attribute_not_exists(#estimate) OR #estimate < :bound",
            ExpressionAttributeNames: { "#estimate": "estimate" },
            ExpressionAttributeValues: { ":start": nudge.start, ":step": nudge.step, ":bound": nudge.bound },
          }),
        );
      } catch (error) {
        // At its bound already: the nudge had nothing to move.
        if (!isConditionFailure(error)) throw error;
      }
    },
  };
}
