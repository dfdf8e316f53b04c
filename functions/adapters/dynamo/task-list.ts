import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { InvalidRequestError } from "../../core/errors.js";
import type { TaskListQuery, TaskPage } from "../../core/ports.js";
import { publicStatus } from "../../core/task/phases.js";
import type { Task } from "../../core/task/task.js";
import { batchGetItems, type ItemKey, keyString } from "./batch-get.js";
import type { DynamoConnection } from "./dynamo-client.js";
import { tableShape } from "./table-definition.js";

/** Queries read per page at most: a filter that matches little must not hold the caller long. */
const maxQueriesPerPage = 10;

/**
 * A tenant's tasks from the owner index, newest first. A status filter is a FilterExpression, which
 * DynamoDB applies after `Limit`, so each query asks only for what the page still needs, and the
 * cursor is the last key read: no matching item is ever skipped or returned twice. The index holds
 * keys and the public status only (table-definition.ts), so the page's whole items are then read by
 * key, and the filter is applied again to them: the index may lag a status the item has already
 * left. An item written before the index carried `status` passes the index's filter and is judged
 * by its phase.
 */
export async function listTasksOfOwner(
  connection: DynamoConnection,
  owner: string,
  query: TaskListQuery,
  fromItem: (item: Record<string, unknown>) => Task,
): Promise<TaskPage> {
  const { ownerIndex } = tableShape;
  const keys: ItemKey[] = [];
  let startKey = query.cursor === undefined ? undefined : decodeCursor(query.cursor, owner);
  for (let round = 0; round < maxQueriesPerPage && keys.length < query.limit; round++) {
    const page = await connection.client.send(
      new QueryCommand({
        TableName: connection.tableName,
        IndexName: ownerIndex.name,
        KeyConditionExpression: "#owner = :owner",
        ScanIndexForward: false,
        Limit: query.limit - keys.length,
        ExclusiveStartKey: startKey,
        ...statusFilter(owner, query.status),
      }),
    );
    keys.push(...(page.Items ?? []).map(primaryKeyOf));
    startKey = page.LastEvaluatedKey as ItemKey | undefined;
    if (!startKey) break;
  }
  const items = await batchGetItems(connection, keys);
  const tasks = keys
    .map((key) => items.get(keyString(key)))
    .filter((item): item is Record<string, unknown> => item !== undefined)
    .map(fromItem)
    .filter((task) => query.status === undefined || publicStatus(task.phase) === query.status);
  return startKey ? { tasks, nextCursor: encodeCursor(startKey) } : { tasks };
}

function primaryKeyOf(item: Record<string, unknown>): ItemKey {
  const { partitionKey, sortKey } = tableShape;
  return { [partitionKey]: String(item[partitionKey]), [sortKey]: String(item[sortKey]) };
}

function statusFilter(owner: string, status: TaskListQuery["status"]) {
  const names = { "#owner": tableShape.ownerIndex.partitionKey };
  if (!status) return { ExpressionAttributeNames: names, ExpressionAttributeValues: { ":owner": owner } };
  return {
    FilterExpression: "#status = :status OR attribute_not_exists(#status)",
    ExpressionAttributeNames: { ...names, "#status": "status" },
    ExpressionAttributeValues: { ":owner": owner, ":status": status },
  };
}

function encodeCursor(key: ItemKey): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/** The key a cursor carries, checked to be one of this owner's: a forged one must not reach DynamoDB. */
function decodeCursor(cursor: string, owner: string): ItemKey {
  const invalid = () => new InvalidRequestError("cursor is not one this API gave out", "cursor");
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  const { partitionKey, sortKey, ownerIndex } = tableShape;
  const fields = [partitionKey, sortKey, ownerIndex.partitionKey, ownerIndex.sortKey];
  if (typeof key !== "object" || key === null || Array.isArray(key)) throw invalid();
  const record = key as Record<string, unknown>;
  const wellFormed =
    Object.keys(record).length === fields.length &&
    fields.every((field) => typeof record[field] === "string") &&
    record[ownerIndex.partitionKey] === owner;
  if (!wellFormed) throw invalid();
  return record as ItemKey;
}
