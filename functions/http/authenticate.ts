import { createMiddleware } from "hono/factory";
import { hashApiKey } from "../core/api-keys.js";
import { AuthenticationError } from "../core/errors.js";
import type { TenantStore } from "../core/ports.js";
import type { Tenant } from "../core/tenant.js";

export type AuthenticatedEnv = { Variables: { tenant: Tenant } };

/** `Authorization: Bearer <key>`: keys are looked up by their hash and resolve to a tenant. */
export function authenticate(tenants: TenantStore) {
  return createMiddleware<AuthenticatedEnv>(async (context, next) => {
    const header = context.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new AuthenticationError("missing API key: send Authorization: Bearer <key>");
    const tenant = await tenants.tenantByApiKeyHash(hashApiKey(match[1]));
    if (!tenant) throw new AuthenticationError("unknown API key");
    context.set("tenant", tenant);
    await next();
  });
}
