import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/**
 * The one table's shape. infra/storage.ts declares the same for AWS (a test keeps them in step);
 * the local stack and the tests create it from here.
 */
export const tableShape = {
  partitionKey: "pk",
  sortKey: "sk",
  /** Sparse: only items carrying `due` (unfinished tasks, pending webhooks) are in it. */
  dueIndex: { name: "byDue", partitionKey: "due", sortKey: "nextPollAt" },
  /**
   * A tenant's tasks, newest first, and the API keys under one fixed owner. It carries the keys,
   * a task's public `status` (the task list's filter) and what a key listing shows (`tenantId`,
   * `prefix`, `revokedAt`): the status changes once, when the task ends, and the others never, so
   * neither a poll's write nor a move between unfinished phases costs a write in this index. A task
   * page then reads its whole items with one BatchGetItem.
   */
  ownerIndex: {
    name: "byOwner",
    partitionKey: "owner",
    sortKey: "createdAt",
    projected: ["status", "tenantId", "prefix", "revokedAt"],
  },
  ttlAttribute: "expiresAt",
} as const;

export function createTableInput(tableName: string): CreateTableCommandInput {
  const { dueIndex, ownerIndex } = tableShape;
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: tableShape.partitionKey, AttributeType: "S" },
      { AttributeName: tableShape.sortKey, AttributeType: "S" },
      { AttributeName: dueIndex.partitionKey, AttributeType: "S" },
      { AttributeName: dueIndex.sortKey, AttributeType: "N" },
      { AttributeName: ownerIndex.partitionKey, AttributeType: "S" },
      { AttributeName: ownerIndex.sortKey, AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: tableShape.partitionKey, KeyType: "HASH" },
      { AttributeName: tableShape.sortKey, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: dueIndex.name,
        KeySchema: [
          { AttributeName: dueIndex.partitionKey, KeyType: "HASH" },
          { AttributeName: dueIndex.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "KEYS_ONLY" },
      },
      {
        IndexName: ownerIndex.name,
        KeySchema: [
          { AttributeName: ownerIndex.partitionKey, KeyType: "HASH" },
          { AttributeName: ownerIndex.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: [...ownerIndex.projected] },
      },
    ],
  };
}
