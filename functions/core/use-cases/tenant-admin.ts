/**
 * Operating tenants and their keys without touching the table by hand: what `npm run keys` (and
 * the CLI's `hailuo keys`) does. Secrets are made here and handed back once; only hashes are kept.
 */
import { apiKeyPrefix, hashApiKey, newApiKey, newWebhookSecret } from "../api-keys.js";
import { InvalidRequestError, NotFoundError } from "../errors.js";
import type { Clock, TenantStore } from "../ports.js";
import { type ApiKeyRecord, noTaskCounts, type Tenant } from "../tenant.js";
import { urlProblem } from "../url-policy.js";

export type TenantAdminDeps = { tenants: TenantStore; clock: Clock };

/** Ids go into item keys and idempotency scopes, so no `#` and nothing a shell would mangle. */
const tenantIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A key's visible prefix is this long at least when it names a key to revoke. */
const shortestPrefix = "hk_live_".length + 4;

export type NewTenantSettings = {
  name?: string;
  credits?: number;
  rateLimitRpm?: number;
  callbackUrl?: string;
};

export type IssuedKey = {
  tenant: Tenant;
  /** False when the tenant existed already and got one more key. */
  tenantCreated: boolean;
  apiKey: string;
  keyPrefix: string;
  /** Only for a tenant made just now: afterwards the secret is never shown again. */
  webhookSecret?: string;
};

/**
 * A new key for `tenantId`, making the tenant first when it does not exist. Settings apply to a new
 * tenant only: an existing one keeps its budget (add-credits changes it) and its limits.
 */
export async function issueKey(
  deps: TenantAdminDeps,
  tenantId: string,
  settings: NewTenantSettings,
  policy: { allowPrivateUrls: boolean },
): Promise<IssuedKey> {
  checkTenantId(tenantId);
  checkSettings(settings, policy);
  const existing = await deps.tenants.getTenant(tenantId);
  let tenant = existing;
  if (existing && Object.values(settings).some((value) => value !== undefined)) {
    throw new InvalidRequestError(
      `tenant ${tenantId} exists already; its settings stay as they are (change credits with add-credits), so create it a key without --name, --credits, --rpm or --callback-url`,
    );
  }
  if (!tenant) {
    tenant = newTenant(deps, tenantId, settings);
    if (!(await deps.tenants.createTenant(tenant))) {
      throw new InvalidRequestError(`tenant ${tenantId} was created by someone else just now; run again`);
    }
  }
  const apiKey = newApiKey();
  const keyPrefix = apiKeyPrefix(apiKey);
  await deps.tenants.putApiKey(hashApiKey(apiKey), tenantId, {
    prefix: keyPrefix,
    createdAt: new Date(deps.clock.now()).toISOString(),
  });
  return {
    tenant,
    tenantCreated: !existing,
    apiKey,
    keyPrefix,
    ...(existing ? {} : { webhookSecret: tenant.webhookSecret }),
  };
}

export type KeyListing = { key: ApiKeyRecord; tenant: Tenant | undefined };

/** Every key (of one tenant when named), newest first, each with its tenant as it is now. */
export async function listKeys(deps: TenantAdminDeps, tenantId?: string): Promise<KeyListing[]> {
  const keys = (await deps.tenants.listApiKeys()).filter(
    (key) => tenantId === undefined || key.tenantId === tenantId,
  );
  const tenants = new Map<string, Tenant | undefined>();
  for (const id of new Set(keys.map((key) => key.tenantId)))
    tenants.set(id, await deps.tenants.getTenant(id));
  return keys.map((key) => ({ key, tenant: tenants.get(key.tenantId) }));
}

/**
 * Revokes the one live key that `keyOrPrefix` names: the whole key, or the start of its visible
 * prefix. From the moment this answers, the key gets 401 (keys are read consistently, not cached).
 */
export async function revokeKey(deps: TenantAdminDeps, keyOrPrefix: string): Promise<ApiKeyRecord> {
  if (keyOrPrefix.length < shortestPrefix) {
    throw new InvalidRequestError(
      `a key prefix has ${shortestPrefix} characters at least, e.g. hk_live_AbCd`,
    );
  }
  const live = (await deps.tenants.listApiKeys()).filter((key) => key.revokedAt === undefined);
  const wholeKeyHash = hashApiKey(keyOrPrefix);
  const matches = live.filter(
    (key) => key.keyHash === wholeKeyHash || key.prefix?.startsWith(keyOrPrefix) === true,
  );
  const [match, ...others] = matches;
  if (!match) throw new NotFoundError(`no live key starts with ${keyOrPrefix}`);
  if (others.length > 0) {
    throw new InvalidRequestError(
      `${matches.length} live keys start with ${keyOrPrefix}: give more of the prefix (${matches.map((key) => key.prefix).join(", ")})`,
    );
  }
  const revokedAt = new Date(deps.clock.now()).toISOString();
  if (!(await deps.tenants.revokeApiKey(match.keyHash, revokedAt))) {
    throw new NotFoundError(`the key ${match.prefix ?? keyOrPrefix} was revoked just now by someone else`);
  }
  return { ...match, revokedAt };
}

/** A new webhook secret for the tenant, in force for every webhook sent from now on. */
export async function rotateWebhookSecret(deps: TenantAdminDeps, tenantId: string): Promise<string> {
  const secret = newWebhookSecret();
  if (!(await deps.tenants.setWebhookSecret(tenantId, secret))) {
    throw new NotFoundError(`no tenant ${tenantId}`);
  }
  return secret;
}

/** Adds to a budgeted tenant's credits, atomically beside the charges of creates in flight. */
export async function addCredits(deps: TenantAdminDeps, tenantId: string, credits: number): Promise<Tenant> {
  if (!Number.isSafeInteger(credits) || credits <= 0) {
    throw new InvalidRequestError("credits to add must be a whole number above 0");
  }
  const outcome = await deps.tenants.addCredits(tenantId, credits);
  if (outcome === "missing") throw new NotFoundError(`no tenant ${tenantId}`);
  if (outcome === "unbudgeted") {
    throw new InvalidRequestError(
      `tenant ${tenantId} has no budget (its use is only counted), so there is nothing to add to`,
    );
  }
  return outcome;
}

function checkTenantId(tenantId: string): void {
  if (!tenantIdPattern.test(tenantId)) {
    throw new InvalidRequestError(
      "a tenant id is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
    );
  }
}

function checkSettings(settings: NewTenantSettings, policy: { allowPrivateUrls: boolean }): void {
  if (settings.credits !== undefined && !(Number.isSafeInteger(settings.credits) && settings.credits >= 0)) {
    throw new InvalidRequestError("--credits must be a whole number, 0 or more");
  }
  if (
    settings.rateLimitRpm !== undefined &&
    !(Number.isSafeInteger(settings.rateLimitRpm) && settings.rateLimitRpm >= 0)
  ) {
    throw new InvalidRequestError("--rpm must be a whole number of requests per minute (0: no limit)");
  }
  const problem = settings.callbackUrl === undefined ? undefined : urlProblem(settings.callbackUrl, policy);
  if (problem) throw new InvalidRequestError(`--callback-url ${problem}`);
}

function newTenant(deps: TenantAdminDeps, tenantId: string, settings: NewTenantSettings): Tenant {
  const tenant: Tenant = {
    id: tenantId,
    name: settings.name ?? tenantId,
    webhookSecret: newWebhookSecret(),
    creditsSpent: 0,
    taskCounts: { ...noTaskCounts },
    createdAt: new Date(deps.clock.now()).toISOString(),
  };
  if (settings.credits !== undefined) tenant.creditsRemaining = settings.credits;
  if (settings.rateLimitRpm !== undefined) tenant.rateLimitRpm = settings.rateLimitRpm;
  if (settings.callbackUrl !== undefined) tenant.defaultCallbackUrl = settings.callbackUrl;
  return tenant;
}
