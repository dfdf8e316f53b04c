import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveKeysTarget } from "../../tools/keys/keys-target.js";

/** A project folder, with `.sst/outputs.json` holding `outputs` when given. */
function projectWith(outputs?: string): string {
  const cwd = mkdtempSync(join(tmpdir(), "keys-target-"));
  if (outputs !== undefined) {
    mkdirSync(join(cwd, ".sst"));
    writeFileSync(join(cwd, ".sst", "outputs.json"), outputs);
  }
  return cwd;
}

describe("the table keys works on", () => {
  const deployed = projectWith(JSON.stringify({ api: "https://x.lambda-url.aws/", table: "prod-Tasks-abc" }));

  it("is the last deploy's table in AWS when nothing else is said", () => {
    expect(resolveKeysTarget({}, { cwd: deployed })).toEqual({
      tableName: "prod-Tasks-abc",
      region: "us-east-1",
      description: "table prod-Tasks-abc in AWS us-east-1 (the last deploy's .sst/outputs.json)",
    });
  });

  it("is TABLE_NAME in AWS_REGION when set, before the outputs", () => {
    expect(
      resolveKeysTarget({ TABLE_NAME: "other", AWS_REGION: "eu-west-1" }, { cwd: deployed }),
    ).toMatchObject({
      tableName: "other",
      region: "eu-west-1",
      description: "table other in AWS eu-west-1 (TABLE_NAME)",
    });
  });

  it("is a DynamoDB Local when the shell or --local says so, whatever was deployed", () => {
    expect(
      resolveKeysTarget({ DYNAMODB_ENDPOINT: "http://127.0.0.1:8020" }, { cwd: deployed }),
    ).toMatchObject({
      tableName: "hailuo-local-tasks",
      endpoint: "http://127.0.0.1:8020",
    });
    expect(resolveKeysTarget({ DYNAMODB_PORT: "8020" }, { cwd: deployed })).toMatchObject({
      endpoint: "http://127.0.0.1:8020",
    });
    expect(resolveKeysTarget({ TABLE_NAME: "mine" }, { cwd: deployed, local: true })).toMatchObject({
      tableName: "mine",
      endpoint: "http://127.0.0.1:8000",
    });
  });

  it("is npm start's table when there is no deploy and no TABLE_NAME", () => {
    const target = resolveKeysTarget({}, { cwd: projectWith() });
    expect(target).toMatchObject({ tableName: "hailuo-local-tasks", endpoint: "http://127.0.0.1:8000" });
    expect(target.description).toContain("no TABLE_NAME and no .sst/outputs.json");
    expect(resolveKeysTarget({}, { cwd: projectWith("{}") }).endpoint).toBe("http://127.0.0.1:8000");
  });

  it("refuses an outputs file that is not JSON rather than guess", () => {
    expect(() => resolveKeysTarget({}, { cwd: projectWith("{oops") })).toThrow(/is not JSON; set TABLE_NAME/);
  });
});
