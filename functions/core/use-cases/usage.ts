import type { Deps } from "../deps.js";
import { MissingTenantError } from "../errors.js";
import { noTaskCounts, type TaskCounts, type Tenant } from "../tenant.js";

export type Usage = { creditsSpent: number; creditsRemaining: number | null; tasks: TaskCounts };

/**
 * What the tenant has spent and has left, and its tasks by status: read from the counters the task
 * writes keep on the tenant's record (one consistent read, never a scan).
 */
export async function usageOf(deps: Deps, tenant: Tenant): Promise<Usage> {
  const current = await deps.tenants.getTenant(tenant.id, { consistent: true });
  if (!current) throw new MissingTenantError(tenant.id);
  return {
    creditsSpent: current.creditsSpent,
    creditsRemaining: current.creditsRemaining ?? null,
    tasks: current.taskCounts ?? noTaskCounts,
  };
}
