import { BatchGetCommand } from "@aws-sdk/lib-dynamodb";
import { backoffDelay } from "../../core/backoff.js";
import { StoreBusyError } from "../../core/errors.js";
import type { DynamoConnection } from "./dynamo-client.js";
import { tableShape } from "./table-definition.js";

export type ItemKey = Record<string, string>;

/** BatchGetItem's own limit of keys per request. */
const keysPerRequest = 100;
/**
 * Rounds for the keys DynamoDB leaves unprocessed (throttling) before the read gives up, with a
 * jittered pause between rounds as DynamoDB asks: retrying at once would meet the same throttle.
 */
export const unprocessedKeysPolicy = { rounds: 6, baseMs: 25, capMs: 800 } as const;

/** The map key of an item's primary key (partition and sort key). */
export const keyString = (key: Record<string, unknown>) =>
  `${String(key[tableShape.partitionKey])}\u0000${String(key[tableShape.sortKey])}`;

/**
 * The whole items of `keys` by BatchGetItem, 100 keys a request, those requests in parallel; an item
 * that does not exist is absent from the answer. Keys left unprocessed are asked for again after a
 * pause; after `unprocessedKeysPolicy.rounds` rounds the read fails with StoreBusyError.
 */
export async function batchGetItems(
  connection: DynamoConnection,
  keys: readonly ItemKey[],
  read: { consistent?: boolean } = {},
): Promise<Map<string, Record<string, unknown>>> {
  const items = new Map<string, Record<string, unknown>>();
  const chunks: ItemKey[][] = [];
  for (let start = 0; start < keys.length; start += keysPerRequest) {
    chunks.push(keys.slice(start, start + keysPerRequest));
  }
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending = chunk;
      for (let round = 1; pending.length > 0; round++) {
        if (round > unprocessedKeysPolicy.rounds) {
          throw new StoreBusyError(`${pending.length} items could not be read (throttled); try again`);
        }
        if (round > 1) {
          await new Promise((resolve) => setTimeout(resolve, backoffDelay(round - 1, unprocessedKeysPolicy)));
        }
        const answer = await connection.client.send(
          new BatchGetCommand({
            RequestItems: {
              [connection.tableName]: { Keys: pending, ...(read.consistent ? { ConsistentRead: true } : {}) },
            },
          }),
        );
        for (const item of answer.Responses?.[connection.tableName] ?? []) items.set(keyString(item), item);
        pending = (answer.UnprocessedKeys?.[connection.tableName]?.Keys ?? []) as ItemKey[];
      }
    }),
  );
  return items;
}
