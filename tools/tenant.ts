/**
 * `npm run tenant -- create --name "Acme" [--credits 10000] [--callback-url https://…] [--id acme]`
 * Creates a tenant and its first API key in the table named by TABLE_NAME (AWS credentials and
 * AWS_REGION from the environment, or DYNAMODB_ENDPOINT for DynamoDB Local). Prints the key once:
 * only its hash is stored. Says where it writes first (on stderr, so stdout stays the JSON): a shell
 * set up for `npm start` has DYNAMODB_ENDPOINT set, and would otherwise write into DynamoDB Local.
 */
import { parseArgs } from "node:util";
import { ulid } from "ulid";
import { createDynamoConnection } from "../functions/adapters/dynamo/dynamo-client.js";
import { createDynamoTenantStore } from "../functions/adapters/dynamo/tenant-store.js";
import { hashApiKey, newApiKey, newWebhookSecret } from "../functions/core/api-keys.js";
import type { Tenant } from "../functions/core/tenant.js";
import { urlProblem } from "../functions/core/url-policy.js";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: "string" },
    id: { type: "string" },
    credits: { type: "string" },
    "callback-url": { type: "string" },
    tenant: { type: "string" },
  },
});
const command = positionals[0];
const tableName = process.env.TABLE_NAME;
if (!tableName || (command !== "create" && command !== "add-key")) {
  console.error(
    "usage: TABLE_NAME=… npm run tenant -- create --name NAME [--credits N] [--callback-url URL] [--id ID]\n" +
      "       TABLE_NAME=… npm run tenant -- add-key --tenant ID",
  );
  process.exit(2);
}
const endpoint = process.env.DYNAMODB_ENDPOINT;
const region = process.env.AWS_REGION ?? "us-east-1";
console.error(
  endpoint
    ? `tenant: table ${tableName} at DYNAMODB_ENDPOINT=${endpoint} (a local DynamoDB; unset DYNAMODB_ENDPOINT to write to AWS)`
    : `tenant: table ${tableName} in AWS region ${region} (credentials from the environment)`,
);
const tenants = createDynamoTenantStore(
  createDynamoConnection(tableName, {
    region,
    ...(endpoint ? { endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
  }),
);

if (command === "create") {
  if (!values.name) throw new Error("--name is required");
  const tenant: Tenant = {
    id: values.id ?? ulid().toLowerCase(),
    name: values.name,
    webhookSecret: newWebhookSecret(),
    creditsSpent: 0,
    createdAt: new Date().toISOString(),
  };
  if (values.credits !== undefined) tenant.creditsRemaining = Number(values.credits);
  const callbackUrl = values["callback-url"];
  if (callbackUrl) {
    // The same rule as at create time: a default that would be refused there is refused here.
    const problem = urlProblem(callbackUrl, { allowPrivateUrls: process.env.ALLOW_PRIVATE_URLS === "true" });
    if (problem) throw new Error(`--callback-url ${problem}`);
    tenant.defaultCallbackUrl = callbackUrl;
  }
  if (await tenants.getTenant(tenant.id)) throw new Error(`tenant ${tenant.id} exists already`);
  await tenants.putTenant(tenant);
  const key = newApiKey();
  await tenants.putApiKey(hashApiKey(key), tenant.id);
  console.log(
    JSON.stringify({ tenant_id: tenant.id, api_key: key, webhook_secret: tenant.webhookSecret }, null, 2),
  );
} else {
  if (!values.tenant || !(await tenants.getTenant(values.tenant)))
    throw new Error("--tenant must name an existing tenant");
  const key = newApiKey();
  await tenants.putApiKey(hashApiKey(key), values.tenant);
  console.log(JSON.stringify({ tenant_id: values.tenant, api_key: key }, null, 2));
}
