import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { itemKeys } from "../../functions/adapters/dynamo/item-keys.js";
import { hashApiKey } from "../../functions/core/api-keys.js";
import { createApp } from "../../functions/http/create-app.js";
import { type OutputSink, runKeys } from "../../tools/keys/run-keys.js";
import { makeJpeg } from "../ingest/support/images.js";
import { testDynamoClient, testDynamoEndpoint, uniqueName } from "../support/aws-clients.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const minute = 60_000;

type Issued = {
  tenant_id: string;
  tenant_created: boolean;
  api_key: string;
  key_prefix: string;
  webhook_secret?: string;
  credits_remaining: number | null;
  rate_limit_rpm: number | null;
};
type Listed = {
  key_prefix: string | null;
  tenant_id: string;
  revoked_at: string | null;
  credits_remaining: number | null;
};

// Each command of its own is a Node process starting tsx: seconds apiece on a busy machine.
describe("npm run keys", { timeout: 180_000 }, () => {
  let stack: TestStack;
  let app: ReturnType<typeof createApp>;
  let image: string;
  // The api's clock, moved a minute on between cases so that no case runs into another's rate limit.
  let now = Math.floor(Date.now() / minute) * minute + 1_000;
  beforeAll(async () => {
    image = `data:image/jpeg;base64,${Buffer.from(await makeJpeg(320, 320)).toString("base64")}`;
    stack = await startTestStack({ simulator: false });
    app = createApp(
      { ...stack.deps, clock: { now: () => now } },
      { maxBodyBytes: 1024 * 1024, idempotencyTtlSeconds: 60 },
    );
  });
  afterAll(async () => {
    await stack?.close();
  });

  const environment = () => ({ TABLE_NAME: stack.tableName, DYNAMODB_ENDPOINT: testDynamoEndpoint() });

  /** The real command, in its own process, pointed at this test's table in DynamoDB Local. */
  async function keys(...args: string[]) {
    return promisify(execFile)(process.execPath, ["--import", "tsx", "tools/keys.ts", ...args], {
      cwd: root,
      env: { ...process.env, ...environment() },
    });
  }
  /** The same command in this process, as another CLI runs it: exit code and what it said. */
  async function keysInProcess(...args: string[]) {
    const said = { out: [] as string[], err: [] as string[] };
    const sink: OutputSink = { out: (text) => said.out.push(text), err: (text) => said.err.push(text) };
    const code = await runKeys(args, sink, { env: environment(), cwd: root });
    return { code, out: said.out.join("\n"), err: said.err.join("\n") };
  }
  const create = (apiKey: string) =>
    app.request("/api/v1/videos/generations", {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ prompt: "keys", image, duration: "6", resolution: "768P" }),
    });
  const read = (apiKey: string) =>
    app.request("/api/v1/tasks", { headers: { authorization: `Bearer ${apiKey}` } });
  const storedKey = async (apiKey: string) =>
    (
      await DynamoDBDocumentClient.from(testDynamoClient()).send(
        new GetCommand({ TableName: stack.tableName, Key: itemKeys.apiKey(hashApiKey(apiKey)) }),
      )
    ).Item;

  it("creates a tenant whose printed key makes exactly the three tasks 90 credits pay for, then 402", async () => {
    now += minute;
    const tenantId = uniqueName("acme");

    const { stdout, stderr } = await keys("create", "--tenant", tenantId, "--credits", "90");

    expect(stderr).toContain(`table ${stack.tableName} in the DynamoDB Local at ${testDynamoEndpoint()}`);
    const issued = JSON.parse(stdout) as Issued;
    expect(issued).toMatchObject({ tenant_id: tenantId, tenant_created: true, credits_remaining: 90 });
    expect(issued.api_key).toMatch(/^hk_live_[A-Za-z0-9_-]{32}$/);
    expect(issued.key_prefix).toBe(issued.api_key.slice(0, 16));
    expect(issued.webhook_secret).toMatch(/^whsec_/);
    const stored = await storedKey(issued.api_key);
    expect(stored).toMatchObject({ tenantId, prefix: issued.key_prefix });
    expect(JSON.stringify(stored)).not.toContain(issued.api_key);

    const statuses = [];
    for (let task = 0; task < 4; task++) statuses.push((await create(issued.api_key)).status);
    expect(statuses).toEqual([200, 200, 200, 402]);
  });

  it("adds credits, issues a second key, lists both, and revokes one into a 401 at once", async () => {
    now += minute;
    const tenantId = uniqueName("team");
    const first = JSON.parse((await keys("create", "--tenant", tenantId, "--credits", "0")).stdout) as Issued;
    expect((await create(first.api_key)).status).toBe(402);

    const added = JSON.parse((await keys("add-credits", "--tenant", tenantId, "30")).stdout) as object;

    expect(added).toEqual({ tenant_id: tenantId, credits_remaining: 30 });
    expect(await stack.deps.tenants.getTenant(tenantId)).toMatchObject({ creditsRemaining: 30 });
    expect((await create(first.api_key)).status).toBe(200);
    expect((await create(first.api_key)).status).toBe(402);

    // The rest in process, as another CLI would run it (each process of its own costs seconds).
    const second = JSON.parse((await keysInProcess("create", "--tenant", tenantId)).out) as Issued;
    expect(second).toMatchObject({ tenant_id: tenantId, tenant_created: false, credits_remaining: 0 });
    expect(second.webhook_secret).toBeUndefined();
    const listed = JSON.parse((await keysInProcess("list", "--tenant", tenantId, "--json")).out) as Listed[];
    expect(listed.map((key) => key.key_prefix).sort()).toEqual([first.key_prefix, second.key_prefix].sort());

    const revoked = await keys("revoke", first.key_prefix);

    expect(JSON.parse(revoked.stdout)).toMatchObject({ key_prefix: first.key_prefix, tenant_id: tenantId });
    const refused = await read(first.api_key);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 401, type: "authentication_error" } });
    expect((await read(second.api_key)).status).toBe(200);
    const after = JSON.parse((await keysInProcess("list", "--tenant", tenantId, "--json")).out) as Listed[];
    expect(after.find((key) => key.key_prefix === first.key_prefix)?.revoked_at).toEqual(expect.any(String));
    expect(after.find((key) => key.key_prefix === second.key_prefix)?.revoked_at).toBeNull();
    expect((await keysInProcess("list")).out).toMatch(new RegExp(`${second.key_prefix}….*${tenantId}.*live`));
  });

  it("rotates the webhook secret the tenant's webhooks are signed with", async () => {
    const tenantId = uniqueName("hooks");
    const issued = JSON.parse((await keys("create", "--tenant", tenantId)).stdout) as Issued;

    const rotated = JSON.parse((await keys("rotate-secret", "--tenant", tenantId)).stdout) as {
      webhook_secret: string;
    };

    expect(rotated.webhook_secret).toMatch(/^whsec_/);
    expect(rotated.webhook_secret).not.toBe(issued.webhook_secret);
    expect((await stack.deps.tenants.getTenant(tenantId))?.webhookSecret).toBe(rotated.webhook_secret);
  });

  it("gives a tenant made with --rpm 3 its own limit: the fourth request of the minute is a 429", async () => {
    now += minute;
    const tenantId = uniqueName("slow");
    const issued = await keysInProcess(
      "create",
      "--tenant",
      tenantId,
      "--rpm",
      "3",
      "--callback-url",
      "http://127.0.0.1:9/hooks",
    );
    expect(issued.code).toBe(0);
    const { api_key: apiKey, rate_limit_rpm } = JSON.parse(issued.out) as Issued;
    expect(rate_limit_rpm).toBe(3);
    expect(await stack.deps.tenants.getTenant(tenantId)).toMatchObject({
      rateLimitRpm: 3,
      defaultCallbackUrl: "http://127.0.0.1:9/hooks",
    });

    const statuses = [];
    for (let request = 0; request < 4; request++) statuses.push((await read(apiKey)).status);

    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it("refuses what it cannot do with a message and exit code 1, and what it does not understand with 2", async () => {
    const cases = [
      [["create", "--tenant", "bad#id"], 1, "a tenant id is 1 to 64 letters"],
      [["create", "--tenant", "ok", "--credits", "lots"], 1, "--credits must be a whole number"],
      [["add-credits", "--tenant", uniqueName("nobody"), "10"], 1, "no tenant"],
      [["rotate-secret", "--tenant", uniqueName("nobody")], 1, "no tenant"],
      [["add-credits", "--tenant", stack.tenant.id, "10"], 1, "has no budget (its use is only counted)"],
      [["revoke", "hk_live_zzzzzzzz"], 1, "no live key starts with hk_live_zzzzzzzz"],
      [["revoke", "hk_"], 1, "a key prefix has 12 characters at least"],
      [["create"], 2, "create needs --tenant ID"],
      [["launch"], 2, "no command launch"],
      [["list", "--colour"], 2, "Unknown option '--colour'"],
    ] as const;
    for (const [args, code, message] of cases) {
      const outcome = await keysInProcess(...args);
      expect(outcome.code, args.join(" ")).toBe(code);
      expect(outcome.err, args.join(" ")).toContain(message);
      expect(outcome.out, args.join(" ")).toBe("");
    }
  });
});
