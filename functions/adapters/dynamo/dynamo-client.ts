import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export type DynamoConnection = { client: DynamoDBDocumentClient; tableName: string };

export function createDynamoConnection(
  tableName: string,
  config: DynamoDBClientConfig = {},
): DynamoConnection {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { client, tableName };
}
