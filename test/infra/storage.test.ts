import { describe, expect, it } from "vitest";
import { createTableInput } from "../../functions/adapters/dynamo/table-definition.js";
import { bucketLayout } from "../../functions/core/output-keys.js";
import { synthesize } from "./support/synthesize.js";
import { functionFor, handlers, ofType, resourceTypes, settingsOf, theOne } from "./support/topology.js";

type LifecycleRule = {
  id: string;
  status: string;
  filter?: { prefix?: string };
  expiration?: { days?: number };
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
};

const day = 24 * 3600 * 1000;

type GlobalIndex = {
  name: string;
  hashKey: string;
  rangeKey?: string;
  projectionType: string;
  nonKeyAttributes?: string[];
};

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
          Projection: {
            ProjectionType: index.projectionType,
            ...(index.nonKeyAttributes ? { NonKeyAttributes: index.nonKeyAttributes } : {}),
          },
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

  it("has the sparse due index keys-only and the owner index with keys and what its listings filter on or show", async () => {
    const table = theOne(await synthesize(), resourceTypes.table).inputs;
    expect(table.globalSecondaryIndexes).toEqual(
      expect.arrayContaining([
        { name: "byDue", hashKey: "due", rangeKey: "nextPollAt", projectionType: "KEYS_ONLY" },
        {
          name: "byOwner",
          hashKey: "owner",
          rangeKey: "createdAt",
          projectionType: "INCLUDE",
          nonKeyAttributes: ["status", "tenantId", "prefix", "revokedAt"],
        },
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

describe("the Media bucket's lifecycle", () => {
  const rules = async () => {
    const synthesis = await synthesize();
    const lifecycle = theOne(synthesis, resourceTypes.lifecycle).inputs;
    expect(lifecycle.bucket).toBe(synthesis.outputs.bucket);
    return lifecycle.rules as LifecycleRule[];
  };

  it("aborts incomplete multipart uploads after a day, in the whole bucket", async () => {
    const abort = (await rules()).filter((rule) => rule.abortIncompleteMultipartUpload);
    expect(abort).toEqual([
      {
        id: expect.any(String),
        status: "Enabled",
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      },
    ]);
  });

  it("expires inputs/ and uploads/ and nothing else", async () => {
    const expiring = (await rules()).filter((rule) => rule.expiration);
    expect(expiring).toEqual([
      {
        id: expect.any(String),
        status: "Enabled",
        filter: { prefix: bucketLayout.inputsPrefix },
        expiration: { days: 7 },
      },
      {
        id: expect.any(String),
        status: "Enabled",
        filter: { prefix: bucketLayout.uploadsPrefix },
        expiration: { days: 1 },
      },
    ]);
  });

  it("keeps an input image for longer than a task can need it", async () => {
    // Prepare: the upstream reads inputs/ by presigned URL, at most until the task's deadline.
    const synthesis = await synthesize();
    const [inputs] = (await rules()).filter((rule) => rule.filter?.prefix === bucketLayout.inputsPrefix);
    const settings = settingsOf(functionFor(synthesis, handlers.api));

    // Assess
    const keptMs = (inputs?.expiration?.days ?? 0) * day;
    expect(keptMs).toBeGreaterThan(settings.TASK_DEADLINE_MS);
    expect(keptMs).toBeGreaterThan(settings.INPUT_URL_TTL_SECONDS * 1000);
  });
});

describe("the Media bucket's CORS", () => {
  it("lets a browser GET, HEAD and PUT by presigned URL, and nothing more", async () => {
    const synthesis = await synthesize();
    const [cors] = [...ofType(synthesis, resourceTypes.cors), ...ofType(synthesis, resourceTypes.corsV2)];
    expect(cors?.inputs.corsRules).toEqual([
      expect.objectContaining({
        allowedMethods: ["GET", "HEAD", "PUT"],
        allowedOrigins: ["*"],
        exposeHeaders: ["ETag"],
      }),
    ]);
  });
});
