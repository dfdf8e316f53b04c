import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { TenantStore } from "../../core/ports.js";
import type { ApiKeyRecord, Tenant } from "../../core/tenant.js";
import type { DynamoConnection } from "./dynamo-client.js";
import { isConditionFailure } from "./dynamo-errors.js";
import { apiKeysOwner, itemKeys } from "./item-keys.js";
import { tableShape } from "./table-definition.js";
import { countAttributes } from "./tenant-credits.js";

type CountName = keyof typeof countAttributes;
const countNames = Object.keys(countAttributes) as CountName[];

/** The tenant as an item: its counts as the top-level numbers the task writes ADD to. */
function tenantItem(tenant: Tenant): Record<string, unknown> {
  const { taskCounts, ...rest } = tenant;
  const item: Record<string, unknown> = { ...rest, ...itemKeys.tenant(tenant.id), kind: "tenant" };
  if (taskCounts) for (const name of countNames) item[countAttributes[name]] = taskCounts[name];
  return item;
}

export function createDynamoTenantStore({ client, tableName }: DynamoConnection): TenantStore {
  const toTenant = (item: Record<string, unknown>): Tenant => {
    const { pk: _pk, sk: _sk, kind: _kind, ...rest } = item;
    const tenant = rest as Record<string, unknown>;
    const taskCounts = { inProgress: 0, completed: 0, failed: 0, canceled: 0 };
    for (const name of countNames) {
      const stored = Number(tenant[countAttributes[name]] ?? 0);
      delete tenant[countAttributes[name]];
      // Tasks created before counts were kept may end afterwards: never below 0.
      taskCounts[name] = Math.max(0, stored);
    }
    return { ...(tenant as Tenant), taskCounts };
  };

  async function getTenant(tenantId: string, read: { consistent?: boolean } = {}): Promise<Tenant | undefined> {
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: itemKeys.tenant(tenantId),
        ...(read.consistent ? { ConsistentRead: true } : {}),
      }),
    );
    return Item ? toTenant(Item) : undefined;
  }

  /** Runs a conditional write; false when its condition did not hold. */
  async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  return {
    getTenant,
    async tenantByApiKeyHash(keyHash) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: itemKeys.apiKey(keyHash), ConsistentRead: true }),
      );
      if (!Item || Item.revokedAt !== undefined) return undefined;
      return getTenant(String(Item.tenantId));
    },
    async putTenant(tenant) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: tenantItem(tenant),
        }),
      );
    },
    createTenant: (tenant) =>
      conditionally(() =>
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: tenantItem(tenant),
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        ),
      ),
    async putApiKey(keyHash, tenantId, details = {}) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...itemKeys.apiKey(keyHash),
            kind: "apiKey",
            tenantId,
            // On the owner index under one fixed owner, so that listing keys never reads tasks.
            [tableShape.ownerIndex.partitionKey]: apiKeysOwner,
            createdAt: details.createdAt ?? new Date().toISOString(),
            ...(details.prefix ? { prefix: details.prefix } : {}),
          },
        }),
      );
    },
    async listApiKeys() {
      const keys: ApiKeyRecord[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: tableShape.ownerIndex.name,
            KeyConditionExpression: "#owner = :owner",
            ExpressionAttributeNames: { "#owner": tableShape.ownerIndex.partitionKey },
            ExpressionAttributeValues: { ":owner": apiKeysOwner },
            ScanIndexForward: false,
            ExclusiveStartKey: startKey,
          }),
        );
        keys.push(...(page.Items ?? []).map(toApiKeyRecord));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return keys;
    },
    revokeApiKey: (keyHash, revokedAt) =>
      conditionally(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: itemKeys.apiKey(keyHash),
            UpdateExpression: "SET revokedAt = :revokedAt",
            ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(revokedAt)",
            ExpressionAttributeValues: { ":revokedAt": revokedAt },
          }),
        ),
      ),
    setWebhookSecret: (tenantId, secret) =>
      conditionally(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: itemKeys.tenant(tenantId),
            UpdateExpression: "SET webhookSecret = :secret",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeValues: { ":secret": secret },
          }),
        ),
      ),
    async addCredits(tenantId, credits) {
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: itemKeys.tenant(tenantId),
            UpdateExpression: "SET creditsRemaining = creditsRemaining + :credits",
            ConditionExpression: "attribute_exists(creditsRemaining)",
            ExpressionAttributeValues: { ":credits": credits },
            ReturnValues: "ALL_NEW",
          }),
        );
        return toTenant(Attributes ?? {});
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        return (await getTenant(tenantId)) ? "unbudgeted" : "missing";
      }
    },
  };
}

function toApiKeyRecord(item: Record<string, unknown>): ApiKeyRecord {
  const record: ApiKeyRecord = {
    keyHash: String(item.pk).slice("APIKEY#".length),
    tenantId: String(item.tenantId),
    createdAt: String(item.createdAt),
  };
  if (typeof item.prefix === "string") record.prefix = item.prefix;
  if (typeof item.revokedAt === "string") record.revokedAt = item.revokedAt;
  return record;
}
