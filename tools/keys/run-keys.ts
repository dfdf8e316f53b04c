import { parseArgs } from "node:util";
import { createDynamoConnection } from "../../functions/adapters/dynamo/dynamo-client.js";
import { createDynamoTenantStore } from "../../functions/adapters/dynamo/tenant-store.js";
import { GatewayError } from "../../functions/core/errors.js";
import {
  addCredits,
  issueKey,
  type KeyListing,
  listKeys,
  revokeKey,
  rotateWebhookSecret,
  type TenantAdminDeps,
} from "../../functions/core/use-cases/tenant-admin.js";
import { resolveKeysTarget } from "./keys-target.js";

/** Where the command's words go: `out` for results (JSON or the listing), `err` for everything else. */
export type OutputSink = { out(text: string): void; err(text: string): void };

export const keysUsage = `usage: npm run keys -- <command> [--local]
  create --tenant ID [--name NAME] [--credits N] [--rpm N] [--callback-url URL]
                             a new key (and the tenant, with its webhook secret, if it is new)
  list [--tenant ID] [--json]  keys by prefix, with their tenant's credits and limit
  revoke KEY_PREFIX          the key answers 401 from now on
  rotate-secret --tenant ID  a new webhook signing secret
  add-credits --tenant ID N  adds N credits to the tenant's budget
The table: --local or DYNAMODB_ENDPOINT/DYNAMODB_PORT (a DynamoDB Local), else TABLE_NAME (AWS),
else the table of the last deploy (.sst/outputs.json), else npm start's.`;

const commands = ["create", "list", "revoke", "rotate-secret", "add-credits"] as const;
type Command = (typeof commands)[number];

/**
 * Runs one `keys` command and answers its exit code: 0 done, 1 refused (the message says why), 2
 * not understood. Never exits the process, so that another CLI can run it in its own.
 */
export async function runKeys(
  argv: readonly string[],
  sink: OutputSink,
  context: { env: Record<string, string | undefined>; cwd: string },
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    sink.err(`keys: ${(error as Error).message}\n${keysUsage}`);
    return 2;
  }
  const target = resolveKeysTarget(context.env, { cwd: context.cwd, local: parsed.values.local });
  sink.err(`keys: ${target.description}`);
  const connection = createDynamoConnection(target.tableName, {
    region: target.region,
    ...(target.endpoint
      ? { endpoint: target.endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } }
      : {}),
  });
  const deps: TenantAdminDeps = { tenants: createDynamoTenantStore(connection), clock: { now: Date.now } };
  try {
    await perform(parsed, deps, sink, { allowPrivateUrls: target.endpoint !== undefined });
    return 0;
  } catch (error) {
    // A refusal says why; anything else (no table, no credentials, no server) is named as it came.
    const { name, message } = error as Error;
    sink.err(
      error instanceof GatewayError ? `keys: ${message}` : `keys: ${target.description}: ${name}: ${message}`,
    );
    return 1;
  } finally {
    connection.client.destroy();
  }
}

function parse(argv: readonly string[]) {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      tenant: { type: "string" },
      name: { type: "string" },
      credits: { type: "string" },
      rpm: { type: "string" },
      "callback-url": { type: "string" },
      json: { type: "boolean", default: false },
      local: { type: "boolean", default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (!commands.includes(command as Command)) {
    throw new Error(command ? `no command ${command}` : "which command?");
  }
  const needsTenant = command === "create" || command === "rotate-secret" || command === "add-credits";
  if (needsTenant && !values.tenant) throw new Error(`${command} needs --tenant ID`);
  const expected = command === "revoke" || command === "add-credits" ? 1 : 0;
  if (rest.length !== expected) {
    throw new Error(`${command} takes ${expected === 0 ? "no" : "one"} argument besides its options`);
  }
  return { command: command as Command, argument: rest[0] ?? "", values };
}

async function perform(
  { command, argument, values }: ReturnType<typeof parse>,
  deps: TenantAdminDeps,
  sink: OutputSink,
  policy: { allowPrivateUrls: boolean },
): Promise<void> {
  const tenantId = values.tenant ?? "";
  const json = (value: unknown) => sink.out(JSON.stringify(value, null, 2));
  switch (command) {
    case "create": {
      const issued = await issueKey(
        deps,
        tenantId,
        {
          ...(values.name === undefined ? {} : { name: values.name }),
          ...(values.credits === undefined ? {} : { credits: wholeNumber("--credits", values.credits) }),
          ...(values.rpm === undefined ? {} : { rateLimitRpm: wholeNumber("--rpm", values.rpm) }),
          ...(values["callback-url"] === undefined ? {} : { callbackUrl: values["callback-url"] }),
        },
        policy,
      );
      json({
        tenant_id: issued.tenant.id,
        tenant_created: issued.tenantCreated,
        api_key: issued.apiKey,
        key_prefix: issued.keyPrefix,
        ...(issued.webhookSecret ? { webhook_secret: issued.webhookSecret } : {}),
        credits_remaining: issued.tenant.creditsRemaining ?? null,
        rate_limit_rpm: issued.tenant.rateLimitRpm ?? null,
        default_callback_url: issued.tenant.defaultCallbackUrl ?? null,
      });
      sink.err(
        `keys: keep the key${issued.webhookSecret ? " and the webhook secret" : ""} now: this is the only time ${issued.webhookSecret ? "they are" : "it is"} shown (only a hash is stored)`,
      );
      return;
    }
    case "list": {
      const listing = await listKeys(deps, values.tenant);
      if (values.json) json(listing.map(listingJson));
      else sink.out(listingTable(listing));
      return;
    }
    case "revoke": {
      const revoked = await revokeKey(deps, argument);
      json({
        key_prefix: revoked.prefix ?? null,
        tenant_id: revoked.tenantId,
        revoked_at: revoked.revokedAt,
      });
      return;
    }
    case "rotate-secret": {
      const secret = await rotateWebhookSecret(deps, tenantId);
      json({ tenant_id: tenantId, webhook_secret: secret });
      sink.err("keys: webhooks are signed with this secret from now on; it is shown this once");
      return;
    }
    case "add-credits": {
      const tenant = await addCredits(deps, tenantId, wholeNumber("credits", argument));
      json({ tenant_id: tenant.id, credits_remaining: tenant.creditsRemaining ?? null });
      return;
    }
  }
}

function wholeNumber(name: string, text: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${name} must be a whole number, not ${text}`);
  return Number(text);
}

/** A malformed number on the command line: refused like any other bad request. */
class UsageError extends GatewayError {}

function listingJson({ key, tenant }: KeyListing) {
  return {
    key_prefix: key.prefix ?? null,
    tenant_id: key.tenantId,
    created_at: key.createdAt,
    revoked_at: key.revokedAt ?? null,
    credits_remaining: tenant?.creditsRemaining ?? null,
    credits_spent: tenant?.creditsSpent ?? null,
    rate_limit_rpm: tenant?.rateLimitRpm ?? null,
  };
}

function listingTable(listing: KeyListing[]): string {
  if (listing.length === 0) return "no keys";
  const rows = listing.map(({ key, tenant }) => [
    key.prefix ? `${key.prefix}…` : "(seeded, no prefix)",
    key.tenantId,
    key.createdAt.slice(0, 19).replace("T", " "),
    key.revokedAt ? `revoked ${key.revokedAt.slice(0, 19).replace("T", " ")}` : "live",
    tenant === undefined ? "(no tenant)" : String(tenant.creditsRemaining ?? "no budget"),
    tenant?.rateLimitRpm === undefined ? "default" : String(tenant.rateLimitRpm || "none"),
  ]);
  const header = ["KEY", "TENANT", "CREATED (UTC)", "STATE", "CREDITS LEFT", "RPM"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
