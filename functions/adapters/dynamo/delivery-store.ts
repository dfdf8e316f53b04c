import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { ConflictError } from "../../core/errors.js";
import type { DeliveryStore } from "../../core/ports.js";
import type { WebhookDelivery } from "../../core/webhook-delivery.js";
import type { DynamoConnection } from "./dynamo-client.js";
import { isConditionFailure } from "./dynamo-errors.js";
import { dueShard, itemKeys } from "./item-keys.js";

export function createDynamoDeliveryStore(
  { client, tableName }: DynamoConnection,
  options: { dueShards: number },
): DeliveryStore {
  const toItem = (delivery: WebhookDelivery) => ({
    ...delivery,
    ...itemKeys.delivery(delivery.taskId, delivery.eventType),
    kind: "delivery",
    ...(delivery.nextAttemptAt === undefined
      ? {}
      : { due: dueShard(delivery.id, options.dueShards), nextPollAt: delivery.nextAttemptAt }),
  });
  const fromItem = (item: Record<string, unknown>): WebhookDelivery => {
    const { pk: _pk, sk: _sk, kind: _kind, due: _due, nextPollAt: _next, ...delivery } = item;
    return delivery as WebhookDelivery;
  };

  return {
    async createDelivery(delivery) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: toItem(delivery),
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    async getDelivery(taskId, eventType) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: itemKeys.delivery(taskId, eventType),
          ConsistentRead: true,
        }),
      );
      return Item ? fromItem(Item) : undefined;
    },
    async saveDelivery(next) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: toItem(next),
            ConditionExpression: "#version = :expected",
            ExpressionAttributeNames: { "#version": "version" },
            ExpressionAttributeValues: { ":expected": next.version - 1 },
          }),
        );
        return next;
      } catch (error) {
        if (isConditionFailure(error)) throw new ConflictError(`delivery ${next.id} changed meanwhile`);
        throw error;
      }
    },
    async listDeliveries(taskId) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": itemKeys.task(taskId).pk, ":prefix": "DELIVERY#" },
          ConsistentRead: true,
        }),
      );
      return Items.map(fromItem);
    },
  };
}
