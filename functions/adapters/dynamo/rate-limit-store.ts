import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { RateLimitStore } from "../../core/ports.js";
import type { DynamoConnection } from "./dynamo-client.js";
import { isConditionFailure } from "./dynamo-errors.js";
import { itemKeys } from "./item-keys.js";
import { tableShape } from "./table-definition.js";

/** Kept a minute past its window, so TTL's lazy deletion never races a window still counting. */
const keptAfterWindowSeconds = 60;

/**
 * One item per tenant and minute, one conditional UpdateItem per request: `ADD count` if the count
 * is still under the limit. A refused update writes nothing, so a limited request costs the count
 * nothing; the item goes by TTL.
 */
export function createDynamoRateLimitStore({ client, tableName }: DynamoConnection): RateLimitStore {
  return {
    async tryCount(counterId, window, limit) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: itemKeys.rateWindow(counterId, window.startMs),
            UpdateExpression: "ADD #count :one SET #expiresAt = if_not_exists(#expiresAt, :expiresAt)",
            ConditionExpression: "attribute_not_exists(#count) OR #count < :limit",
            ExpressionAttributeNames: { "#count": "count", "#expiresAt": tableShape.ttlAttribute },
            ExpressionAttributeValues: {
              ":one": 1,
              ":limit": limit,
              ":expiresAt": Math.ceil(window.endMs / 1000) + keptAfterWindowSeconds,
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };
}
