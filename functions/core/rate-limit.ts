import type { Deps } from "./deps.js";
import { RateLimitedError } from "./errors.js";
import type { CountingWindow } from "./ports.js";
import type { Tenant } from "./tenant.js";

const minuteMs = 60_000;

/** The fixed minute `now` falls in (aligned to the clock's minutes, the same for every instance). */
export function minuteWindow(now: number): CountingWindow {
  const startMs = Math.floor(now / minuteMs) * minuteMs;
  return { startMs, endMs: startMs + minuteMs };
}

/** The tenant's own limit when it has one, else the gateway's; 0 means none. */
export function rateLimitOf(tenant: Tenant, defaultRpm: number): number {
  return tenant.rateLimitRpm ?? defaultRpm;
}

/**
 * Counts one request of `tenant` in this minute, or throws RateLimitedError (nothing counted) when
 * the tenant has made its limit's worth already. Fixed windows: a burst may straddle two minutes,
 * which is the price of one conditional write per request.
 */
export async function admitRequest(
  deps: Pick<Deps, "rateLimits" | "clock" | "settings">,
  tenant: Tenant,
): Promise<void> {
  const limit = rateLimitOf(tenant, deps.settings.rateLimitRpm);
  if (limit === 0) return;
  const now = deps.clock.now();
  const window = minuteWindow(now);
  if (await deps.rateLimits.tryCount(tenant.id, window, limit)) return;
  throw new RateLimitedError(limit, Math.max(1, Math.ceil((window.endMs - now) / 1000)));
}
