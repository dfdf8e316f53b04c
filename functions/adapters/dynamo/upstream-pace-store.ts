import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { PaceRequest, PaceState, UpstreamPaceStore } from "../../core/ports.js";
import type { DynamoConnection } from "./dynamo-client.js";
import { isConditionFailure } from "./dynamo-errors.js";
import { itemKeys } from "./item-keys.js";

const names = {
  "#windowStart": "windowStartMs",
  "#count": "count",
  "#inFlight": "inFlight",
  "#slowUntil": "slowUntil",
  "#slowLimit": "slowLimit",
  "#blockedUntil": "blockedUntil",
} as const;

type Name = keyof typeof names;

/** The attribute names an expression uses (DynamoDB refuses names it does not use). */
const namesIn = (...expressions: string[]) =>
  Object.fromEntries(
    (Object.keys(names) as Name[])
      .filter((name) => expressions.some((expression) => expression.includes(name)))
      .map((name) => [name, names[name]]),
  );

/** The refusing item, as ReturnValuesOnConditionCheckFailure hands it back (numbers only). */
function stateOf(item: Record<string, AttributeValue> | undefined): PaceState {
  const state: PaceState = {};
  for (const attribute of Object.values(names)) {
    const value = item?.[attribute]?.N;
    if (value !== undefined) state[attribute as keyof PaceState] = Number(value);
  }
  return state;
}

/**
 * One item per provider, `PACE#<provider>`: the current window's create count, the in-flight
 * count, and a slowdown. Each create is one conditional UpdateItem that checks the whole budget
 * (window, halved limit, Retry-After block, in-flight cap) and takes it, or writes nothing and
 * hands back the item that refused it; a new window costs a second write, once per window (a third
 * for a create that lost the race to open it).
 */
export function createDynamoUpstreamPaceStore({ client, tableName }: DynamoConnection): UpstreamPaceStore {
  async function update(
    provider: string,
    expressions: { update: string; condition: string },
    values: Record<string, number>,
  ): Promise<{ ok: true } | { ok: false; state: PaceState }> {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: itemKeys.upstreamPace(provider),
          UpdateExpression: expressions.update,
          ConditionExpression: expressions.condition,
          ExpressionAttributeNames: namesIn(expressions.update, expressions.condition),
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return { ok: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { ok: false, state: stateOf((error as { Item?: Record<string, AttributeValue> }).Item) };
    }
  }

  return {
    async tryTake(provider, request: PaceRequest) {
      const capped = request.maxInFlight > 0;
      const open = [
        "(attribute_not_exists(#blockedUntil) OR #blockedUntil <= :now)",
        ...(capped ? ["(attribute_not_exists(#inFlight) OR #inFlight < :maxInFlight)"] : []),
      ];
      const values = {
        ":now": request.now,
        ":one": 1,
        ...(capped ? { ":maxInFlight": request.maxInFlight } : {}),
      };
      const takeSlot = capped ? " ADD #inFlight :one" : "";
      if (request.limit === 0) {
        return update(provider, { update: takeSlot.trim(), condition: open.join(" AND ") }, values);
      }
      const takeInWindow = () =>
        update(
          provider,
          {
            update: capped ? "ADD #count :one, #inFlight :one" : "ADD #count :one",
            condition: [
              "#windowStart = :start",
              "#count < :limit",
              "(attribute_not_exists(#slowUntil) OR #slowUntil <= :now OR #count < #slowLimit)",
              ...open,
            ].join(" AND "),
          },
          { ...values, ":start": request.windowStartMs, ":limit": request.limit },
        );
      const sameWindow = await takeInWindow();
      if (sameWindow.ok) return sameWindow;
      const counting = sameWindow.state.windowStartMs;
      if (counting !== undefined && counting >= request.windowStartMs) return sameWindow;
      // The item counts an older window (or does not exist yet): this create opens the new one.
      const opened = await update(
        provider,
        {
          update: `SET #windowStart = :start, #count = :one${takeSlot}`,
          condition: ["(attribute_not_exists(#windowStart) OR #windowStart < :start)", ...open].join(" AND "),
        },
        { ...values, ":start": request.windowStartMs },
      );
      // Another create opened this window between the two writes: take from it as any create does,
      // rather than be refused by a window with budget left (and be put back for nothing).
      if (!opened.ok && opened.state.windowStartMs === request.windowStartMs) return takeInWindow();
      return opened;
    },

    async release(provider) {
      await update(
        provider,
        { update: "ADD #inFlight :minusOne", condition: "#inFlight > :zero" },
        {
          ":minusOne": -1,
          ":zero": 0,
        },
      );
    },

    async slowDown(provider, slowdown) {
      await update(
        provider,
        {
          update: "SET #slowUntil = :slowUntil, #slowLimit = :slowLimit, #blockedUntil = :blockedUntil",
          condition: "attribute_not_exists(#slowUntil) OR #slowUntil < :slowUntil",
        },
        {
          ":slowUntil": slowdown.slowUntil,
          ":slowLimit": slowdown.slowLimit,
          ":blockedUntil": slowdown.blockedUntil,
        },
      );
    },
  };
}
