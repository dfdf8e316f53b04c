import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey, newApiKey } from "../../functions/core/api-keys.js";
import type { TenantStore } from "../../functions/core/ports.js";
import { aTenant } from "../support/fixtures.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

describe("the DynamoDB tenant store", () => {
  let stack: TestStack;
  let tenants: TenantStore;

  beforeAll(async () => {
    stack = await startTestStack({ simulator: false });
    tenants = stack.deps.tenants;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("gives back a tenant as it was put, budget, callback and all", async () => {
    const tenant = aTenant(500, { defaultCallbackUrl: "https://hooks.example.com/hailuo", creditsSpent: 45 });

    await tenants.putTenant(tenant);

    expect(await tenants.getTenant(tenant.id)).toEqual(tenant);
  });

  it("gives back a tenant without a budget without inventing one", async () => {
    const tenant = aTenant(undefined);

    await tenants.putTenant(tenant);

    const stored = await tenants.getTenant(tenant.id);
    expect(stored).toEqual(tenant);
    expect(stored).not.toHaveProperty("creditsRemaining");
  });

  it("replaces a tenant that is put again", async () => {
    const tenant = aTenant(100);
    await tenants.putTenant(tenant);

    await tenants.putTenant({ ...tenant, name: "Renamed", creditsRemaining: 40 });

    expect(await tenants.getTenant(tenant.id)).toMatchObject({ name: "Renamed", creditsRemaining: 40 });
  });

  it("answers undefined for a tenant that does not exist", async () => {
    expect(await tenants.getTenant("no-such-tenant")).toBeUndefined();
  });

  it("finds a tenant by the hash of one of its API keys", async () => {
    // Prepare
    const tenant = aTenant(100);
    const [first, second] = [newApiKey(), newApiKey()];
    await tenants.putTenant(tenant);

    // Act
    await tenants.putApiKey(hashApiKey(first), tenant.id);
    await tenants.putApiKey(hashApiKey(second), tenant.id);

    // Assess
    expect(await tenants.tenantByApiKeyHash(hashApiKey(first))).toEqual(tenant);
    expect(await tenants.tenantByApiKeyHash(hashApiKey(second))).toEqual(tenant);
  });

  it("answers undefined for an unknown key hash", async () => {
    expect(await tenants.tenantByApiKeyHash(hashApiKey(newApiKey()))).toBeUndefined();
  });

  it("answers undefined for a key whose tenant is gone", async () => {
    const key = newApiKey();

    await tenants.putApiKey(hashApiKey(key), "tenant-that-never-was");

    expect(await tenants.tenantByApiKeyHash(hashApiKey(key))).toBeUndefined();
  });

  it("finds the tenant the test stack seeded by its plain API key", async () => {
    expect(await tenants.tenantByApiKeyHash(hashApiKey(stack.apiKey))).toEqual(stack.tenant);
  });
});
