import { describe, expect, it } from "vitest";
import { createTableInput } from "../../functions/adapters/dynamo/table-definition.js";
import { synthesize } from "./support/synthesize.js";
import { resourceTypes, theOne } from "./support/topology.js";

type GlobalIndex = { name: string; hashKey: string; rangeKey?: string; projectionType: string };

describe("the Tasks table", () => {
  it("has the shape of createTableInput(), the one the local stack and the tests create", async () => {
    // Prepare
    const expected = createTableInput("any");
    const byName = (a: { IndexName?: string }, b: { IndexName?: string }) =>
      (a.IndexName ?? "").localeCompare(b.IndexName ?? "");
    const byAttribute = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
      (a.AttributeName ?? "").localeCompare(b.AttributeName ?? "");

    // Act
    const table = theOne(await synthesize(), resourceTypes.table).inputs;
    const keySchema = (hashKey: string, rangeKey?: string) => [
      { AttributeName: hashKey, KeyType: "HASH" },
      ...(rangeKey ? [{ AttributeName: rangeKey, KeyType: "RANGE" }] : []),
    ];
    const deployed = {
      BillingMode: table.billingMode,
      AttributeDefinitions: (table.attributes as { name: string; type: string }[])
        .map((attribute) => ({ AttributeName: attribute.name, AttributeType: attribute.type }))
        .sort(byAttribute),
      KeySchema: keySchema(table.hashKey, table.rangeKey),
      GlobalSecondaryIndexes: (table.globalSecondaryIndexes as GlobalIndex[])
        .map((index) => ({
          IndexName: index.name,
          KeySchema: keySchema(index.hashKey, index.rangeKey),
          Projection: { ProjectionType: index.projectionType },
        }))
        .sort(byName),
    };

    // Assess
    expect(deployed).toEqual({
      BillingMode: expected.BillingMode,
      AttributeDefinitions: [...(expected.AttributeDefinitions ?? [])].sort(byAttribute),
      KeySchema: expected.KeySchema,
      GlobalSecondaryIndexes: [...(expected.GlobalSecondaryIndexes ?? [])].sort(byName),
    });
  });

  it("has the sparse due index keys-only and the owner index with whole items", async () => {
    const table = theOne(await synthesize(), resourceTypes.table).inputs;
    expect(table.globalSecondaryIndexes).toEqual(
      expect.arrayContaining([
        { name: "byDue", hashKey: "due", rangeKey: "nextPollAt", projectionType: "KEYS_ONLY" },
        { name: "byOwner", hashKey: "owner", rangeKey: "createdAt", projectionType: "ALL" },
      ]),
    );
  });

  it("expires items on expiresAt", async () => {
    const table = theOne(await synthesize(), resourceTypes.table).inputs;
    expect(table.ttl).toEqual({ attributeName: "expiresAt", enabled: true });
  });
});

describe("the Media bucket", () => {
  it("blocks every kind of public access", async () => {
    const block = theOne(await synthesize(), resourceTypes.publicAccessBlock).inputs;
    expect(block).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
  });

  it("is the one bucket of the app", async () => {
    const synthesis = await synthesize();
    const bucket = theOne(synthesis, resourceTypes.bucket);
    expect(bucket.name).toBe("MediaBucket");
  });
});
