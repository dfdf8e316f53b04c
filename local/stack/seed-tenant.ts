import { hashApiKey } from "../../functions/core/api-keys.js";
import type { TenantStore } from "../../functions/core/ports.js";
import { noTaskCounts, type Tenant } from "../../functions/core/tenant.js";

export type TenantSeed = {
  id: string;
  name: string;
  apiKey: string;
  webhookSecret: string;
  creditsRemaining?: number;
  defaultCallbackUrl?: string;
};

/**
 * Makes sure the tenant and its key exist. An existing tenant keeps what it has spent; its key
 * and secret follow the seed, so changing LOCAL_API_KEY takes effect on the next start.
 */
export async function seedTenant(tenants: TenantStore, seed: TenantSeed): Promise<Tenant> {
  const existing = await tenants.getTenant(seed.id);
  const tenant: Tenant = {
    id: seed.id,
    name: seed.name,
    webhookSecret: seed.webhookSecret,
    creditsSpent: existing?.creditsSpent ?? 0,
    taskCounts: existing?.taskCounts ?? { ...noTaskCounts },
    createdAt: existing?.createdAt ?? new Date().toISOString(),
  };
  const credits = existing?.creditsRemaining ?? seed.creditsRemaining;
  if (credits !== undefined) tenant.creditsRemaining = credits;
  if (seed.defaultCallbackUrl) tenant.defaultCallbackUrl = seed.defaultCallbackUrl;
  await tenants.putTenant(tenant);
  await tenants.putApiKey(hashApiKey(seed.apiKey), seed.id);
  return tenant;
}
