import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { TenantStore } from "../../core/ports.js";
import type { Tenant } from "../../core/tenant.js";
import type { DynamoConnection } from "./dynamo-client.js";
import { itemKeys } from "./item-keys.js";

export function createDynamoTenantStore({ client, tableName }: DynamoConnection): TenantStore {
  async function getTenant(tenantId: string): Promise<Tenant | undefined> {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: itemKeys.tenant(tenantId) }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, kind: _kind, ...tenant } = Item;
    return tenant as Tenant;
  }

  return {
    getTenant,
    async tenantByApiKeyHash(keyHash) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: itemKeys.apiKey(keyHash) }),
      );
      return Item ? getTenant(String(Item.tenantId)) : undefined;
    },
    async putTenant(tenant) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...tenant, ...itemKeys.tenant(tenant.id), kind: "tenant" },
        }),
      );
    },
    async putApiKey(keyHash, tenantId) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...itemKeys.apiKey(keyHash),
            kind: "apiKey",
            tenantId,
            createdAt: new Date().toISOString(),
          },
        }),
      );
    },
  };
}
