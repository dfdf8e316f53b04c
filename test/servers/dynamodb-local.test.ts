import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { startDynamoDbLocal } from "../../local/servers/dynamodb-local.js";
import { freePort } from "../../local/servers/free-port.js";
import { testDynamoClient, uniqueName } from "../support/aws-clients.js";

async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
    }),
  );
}

describe("DynamoDB Local (shared by the test run)", () => {
  const client = testDynamoClient();
  const tableName = uniqueName("servers-dynamo");
  afterAll(() => client.destroy());

  it("creates a table, puts and gets an item", async () => {
    await createTable(client, tableName);
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: "task#1" }, sk: { S: "task" }, status: { S: "queued" } },
      }),
    );

    const { Item } = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: "task#1" }, sk: { S: "task" } },
        ConsistentRead: true,
      }),
    );

    expect(Item?.status?.S).toBe("queued");
  });

  it("rejects a conditional put whose condition does not hold", async () => {
    const conditionalPut = client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: "task#1" }, sk: { S: "task" }, status: { S: "submitted" } },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );

    await expect(conditionalPut).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });
});

describe("startDynamoDbLocal", () => {
  it("keeps tables in dataDir across a restart", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "dynamo-local-"));
    const tableName = uniqueName("persisted");
    try {
      const first = await startDynamoDbLocal({ port: await freePort(), dataDir });
      const firstClient = clientFor(first.endpoint);
      await createTable(firstClient, tableName);
      firstClient.destroy();
      await first.stop();

      const second = await startDynamoDbLocal({ port: await freePort(), dataDir });
      const secondClient = clientFor(second.endpoint);
      const { TableNames } = await secondClient.send(new ListTablesCommand({}));
      secondClient.destroy();
      await second.stop();

      expect(TableNames).toContain(tableName);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

function clientFor(endpoint: string): DynamoDBClient {
  // Any region and access key: -sharedDb makes them all see the same database.
  return new DynamoDBClient({
    endpoint,
    region: "eu-west-3",
    credentials: { accessKeyId: "other", secretAccessKey: "x" },
  });
}
