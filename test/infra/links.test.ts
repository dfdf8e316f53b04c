import { describe, expect, it } from "vitest";
import { declaredResources, resourcesReadByHandlers } from "./support/declared-resources.js";
import { synthesize } from "./support/synthesize.js";
import { functionFor, handlers, type IamStatement } from "./support/topology.js";

/** Exactly what each function uses (ARCHITECTURE.md); notify gets outputs/ by permission instead. */
const expectedLinks = {
  api: ["Media", "MinimaxApiKey", "Tasks", "UpstreamApiKey"],
  poller: ["Media", "MinimaxApiKey", "Tasks", "UpstreamApiKey"],
  ingest: ["Media", "MinimaxApiKey", "Tasks", "UpstreamApiKey"],
  notify: ["Tasks"],
} as const;

const names = Object.keys(handlers) as (keyof typeof handlers)[];

const allows = (statements: IamStatement[], action: string, resource: string) =>
  statements.some(
    (statement) =>
      statement.effect !== "Deny" &&
      statement.actions.some((granted) => new RegExp(`^${granted.replaceAll("*", ".*")}$`).test(action)) &&
      statement.resources.some((granted) => new RegExp(`^${granted.replaceAll("*", ".*")}$`).test(resource)),
  );

describe("links", () => {
  it.each(names)("%s is linked to exactly what it uses", async (name) => {
    const { built } = functionFor(await synthesize(), handlers[name]);
    expect(Object.keys(built.links).sort()).toEqual(expectedLinks[name]);
  });

  it("are all typed in sst-env.d.ts, property by property", async () => {
    // Prepare
    const { functions } = await synthesize();
    const declared = declaredResources();

    // Act: what SST would put in each bundle's Resource, typed as sst-env.d.ts would be generated.
    const linked: Record<string, Record<string, string>> = {};
    for (const built of functions) {
      for (const [name, properties] of Object.entries(built.links)) {
        linked[name] = Object.fromEntries(
          Object.entries(properties).map(([key, value]) => [
            key,
            key === "type" ? String(value) : typeof value,
          ]),
        );
      }
    }

    // Assess: sst deploy may add unlinked components to the file; every link must be there as is.
    for (const [name, properties] of Object.entries(linked)) expect(declared[name]).toEqual(properties);
  });

  it("provide every Resource the handlers' configuration reads", async () => {
    const { functions } = await synthesize();
    const linkedNames = new Set(functions.flatMap((built) => Object.keys(built.links)));
    const read = resourcesReadByHandlers();
    expect(read).toEqual(["Media", "MinimaxApiKey", "Tasks", "UpstreamApiKey"]);
    for (const name of read) {
      expect(linkedNames.has(name)).toBe(true);
      expect(declaredResources()).toHaveProperty(name);
    }
  });
});

describe("permissions", () => {
  const tableArn = "arn:aws:dynamodb:us-east-1:123456789012:table/TasksTable";

  it.each(names)("%s can use the table's items and indexes but not manage the table", async (name) => {
    const { statements } = functionFor(await synthesize(), handlers[name]);
    // What the adapters call: GetItem, Query, PutItem, and TransactWriteItems of Put and Update items.
    for (const action of ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]) {
      expect(allows(statements, action, tableArn), action).toBe(true);
    }
    expect(allows(statements, "dynamodb:Query", `${tableArn}/index/byDue`)).toBe(true);
    for (const action of [
      "dynamodb:DeleteTable",
      "dynamodb:UpdateTable",
      "dynamodb:UpdateTimeToLive",
      "dynamodb:Scan",
      // No adapter deletes an item (TTL does, with no permission of ours) or batches reads or checks.
      "dynamodb:DeleteItem",
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:ConditionCheckItem",
    ]) {
      expect(allows(statements, action, tableArn), action).toBe(false);
    }
  });

  it.each(names)("%s deletes only what it removes itself, never inbox/ or outputs/", async (name) => {
    // Prepare
    const synthesis = await synthesize();
    const { statements } = functionFor(synthesis, handlers[name]);
    const object = (key: string) => `arn:aws:s3:::${synthesis.outputs.bucket}/${key}`;

    // Assess: submitTask (api, ingest) drops its unused input copy; ingest a stale error report.
    expect(allows(statements, "s3:DeleteObject", object("inputs/t1")), "inputs/").toBe(
      name === "api" || name === "ingest",
    );
    expect(
      allows(statements, "s3:DeleteObject", object("inbox-errors/a/cat.jpg.json")),
      "inbox-errors/",
    ).toBe(name === "ingest");
    for (const key of ["inbox/photo.jpg", "outputs/t1.mp4", "outputs/t1.json"]) {
      expect(allows(statements, "s3:DeleteObject", object(key)), key).toBe(false);
    }
  });

  it.each(names)("%s cannot reconfigure or delete the bucket", async (name) => {
    const synthesis = await synthesize();
    const { statements } = functionFor(synthesis, handlers[name]);
    const bucketArn = `arn:aws:s3:::${synthesis.outputs.bucket}`;
    for (const action of [
      "s3:DeleteBucket",
      "s3:PutBucketPolicy",
      "s3:PutBucketNotification",
      "s3:PutBucketAcl",
    ]) {
      expect(allows(statements, action, bucketArn), action).toBe(false);
    }
  });

  it("let notify write and presign outputs/ only, never the drop folder or the inputs", async () => {
    // Prepare
    const synthesis = await synthesize();
    const notify = functionFor(synthesis, handlers.notify);
    const object = (key: string) => `arn:aws:s3:::${synthesis.outputs.bucket}/${key}`;

    // Assess
    expect(notify.environment.BUCKET).toBe(synthesis.outputs.bucket);
    expect(allows(notify.statements, "s3:PutObject", object("outputs/t1.json"))).toBe(true);
    expect(allows(notify.statements, "s3:GetObject", object("outputs/t1.mp4"))).toBe(true);
    for (const key of ["inbox/photo.jpg", "inputs/t1.jpg", "inbox-errors/photo.jpg"]) {
      expect(allows(notify.statements, "s3:PutObject", object(key)), key).toBe(false);
      expect(allows(notify.statements, "s3:GetObject", object(key)), key).toBe(false);
    }
    expect(allows(notify.statements, "s3:DeleteObject", object("outputs/t1.mp4"))).toBe(false);
  });

  it("let the api write inputs/ and presign outputs/", async () => {
    const synthesis = await synthesize();
    const api = functionFor(synthesis, handlers.api);
    const object = (key: string) => `arn:aws:s3:::${synthesis.outputs.bucket}/${key}`;
    expect(allows(api.statements, "s3:PutObject", object("inputs/t1.jpg"))).toBe(true);
    expect(allows(api.statements, "s3:GetObject", object("outputs/t1.mp4"))).toBe(true);
  });
});
