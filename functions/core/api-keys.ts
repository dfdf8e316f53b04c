import { createHash, randomBytes } from "node:crypto";

/** API keys are stored only as this hash. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** What every key this gateway issues starts with. */
export const apiKeyScheme = "hk_live_";

/** How much of a key is kept in the clear: enough to name it in a list, far too little to use it. */
export const apiKeyPrefixLength = apiKeyScheme.length + 8;

export function newApiKey(): string {
  return `${apiKeyScheme}${randomBytes(24).toString("base64url")}`;
}

/** The visible start of a key, stored beside its hash so that `list` and `revoke` can name it. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, apiKeyPrefixLength);
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}
