import type { PaceRequest, PaceState } from "./ports.js";

/**
 * The provider's pace: how many creates it takes per window, how many of our tasks it may hold at
 * once, and how long a rate-limit answer halves the budget. Shared by every instance through the
 * store (one item per provider); this module holds the arithmetic, free of any store.
 */
export type PaceSettings = {
  /** Creates per window across every instance; 0 means no limit. */
  rpm: number;
  /** The budget's window: a minute, as providers count, unless a test shortens it. */
  windowMs: number;
  /** Tasks submitted upstream and not finished yet; 0 means no cap. */
  maxInFlight: number;
  /** After a rate-limit answer the budget is halved for this long. */
  slowdownMs: number;
  /** How long a task waits for a slot when the in-flight cap is reached. */
  inFlightWaitMs: number;
};

/** Pacing is off (no store access at all) when neither a rate nor a cap is set. */
export function isPaced(settings: PaceSettings): boolean {
  return settings.rpm > 0 || settings.maxInFlight > 0;
}

/** The fixed window `now` falls in, aligned to the epoch so that every instance counts the same one. */
export function windowStartOf(now: number, windowMs: number): number {
  return Math.floor(now / windowMs) * windowMs;
}

/**
 * Until when a sweep's fair order of waiting tasks holds: the end of the window it was made in.
 * Creates not started by then are left due for the next sweep, which orders them again with the
 * tasks that arrived meanwhile; else a long sweep would spend the next windows' budget on the
 * tasks it happened to see, ahead of a tenant whose task came later. Unbounded when the rate is not limited.
 */
export function fairOrderUntil(settings: PaceSettings, now: number): number {
  if (settings.rpm === 0) return Number.POSITIVE_INFINITY;
  return windowStartOf(now, settings.windowMs) + settings.windowMs;
}

export function paceRequest(settings: PaceSettings, now: number): PaceRequest {
  return {
    now,
    windowStartMs: windowStartOf(now, settings.windowMs),
    limit: settings.rpm,
    maxInFlight: settings.maxInFlight,
  };
}

/**
 * The end of each window where no create is sent: a create counted in one window reaches the
 * provider a moment later, and near the boundary that moment is in the provider's next window,
 * which then gets more than its share. A tenth of the window, two seconds at most.
 */
export function guardBandMs(windowMs: number): number {
  return Math.min(2_000, Math.floor(windowMs / 10));
}

/**
 * The last moment a create admitted at `now` may be sent: where its window's guard band begins.
 * Undefined when the rate is not limited (then a create may go whenever it is admitted).
 */
export function sendByOf(settings: PaceSettings, now: number): number | undefined {
  if (settings.rpm === 0) return undefined;
  return windowStartOf(now, settings.windowMs) + settings.windowMs - guardBandMs(settings.windowMs);
}

/** When `now` is in its window's guard band (and the rate is limited): the next window's start. */
export function guardedUntil(settings: PaceSettings, now: number): number | undefined {
  const sendBy = sendByOf(settings, now);
  if (sendBy === undefined || now < sendBy) return undefined;
  return sendBy + guardBandMs(settings.windowMs);
}

/** The budget of this window as the state says: halved while a slowdown lasts. */
export function effectiveLimit(state: PaceState, limit: number, now: number): number {
  if (limit === 0) return 0;
  if (state.slowUntil !== undefined && state.slowUntil > now && state.slowLimit !== undefined) {
    return Math.min(limit, state.slowLimit);
  }
  return limit;
}

/**
 * Whether the store's state admits one more create: the same rule the store's conditional write
 * applies, written once more here so that it can be tested and explained.
 */
export function admits(state: PaceState, request: PaceRequest): boolean {
  const { now, windowStartMs, limit, maxInFlight } = request;
  if ((state.blockedUntil ?? 0) > now) return false;
  if (maxInFlight > 0 && (state.inFlight ?? 0) >= maxInFlight) return false;
  if (limit === 0) return true;
  const counted = state.windowStartMs === windowStartMs ? (state.count ?? 0) : 0;
  return counted < effectiveLimit(state, limit, now);
}

/** When a create refused by `state` may next find budget. */
export function nextChanceAt(state: PaceState, request: PaceRequest, settings: PaceSettings): number {
  const { now, windowStartMs, limit, maxInFlight } = request;
  let at = now;
  if ((state.blockedUntil ?? 0) > now) at = Math.max(at, state.blockedUntil ?? now);
  if (maxInFlight > 0 && (state.inFlight ?? 0) >= maxInFlight)
    at = Math.max(at, now + settings.inFlightWaitMs);
  if (limit > 0) {
    const counted = state.windowStartMs === windowStartMs ? (state.count ?? 0) : 0;
    if (counted >= effectiveLimit(state, limit, now)) at = Math.max(at, windowStartMs + settings.windowMs);
  }
  return at;
}

/**
 * When a task refused at `rank` (its place among its tenant's waiting tasks, see fairOrder) comes
 * due again: one create's share of the window per rank after the next chance, so that the tasks
 * of every tenant come back interleaved, a few at a time, instead of all at the window's start.
 */
export function deferredUntil(
  chanceAt: number,
  rank: number,
  settings: PaceSettings,
  random = Math.random,
): number {
  const share = settings.rpm > 0 ? settings.windowMs / settings.rpm : settings.inFlightWaitMs;
  return Math.round(chanceAt + rank * share + random() * share);
}

/** What a rate-limit answer writes: the budget halved for `slowdownMs`, none until Retry-After. */
export function slowdownAfter(
  settings: PaceSettings,
  now: number,
  retryAfterMs: number | undefined,
): { slowUntil: number; slowLimit: number; blockedUntil: number } {
  const share = settings.rpm > 0 ? settings.windowMs / settings.rpm : 1000;
  return {
    slowUntil: now + settings.slowdownMs,
    slowLimit: Math.max(1, Math.floor(settings.rpm / 2)),
    blockedUntil: now + Math.max(retryAfterMs ?? 0, share),
  };
}

/**
 * Round-robin across tenants, each tenant's tasks in the order given (oldest first): one tenant's
 * thousand-image drop takes every other turn at most, never all the turns before a single request
 * of another. `rank` is a task's place among its own tenant's.
 */
export function fairOrder<T extends { tenantId: string }>(items: readonly T[]): { item: T; rank: number }[] {
  const queues = new Map<string, T[]>();
  for (const item of items) {
    const queue = queues.get(item.tenantId);
    if (queue) queue.push(item);
    else queues.set(item.tenantId, [item]);
  }
  const ordered: { item: T; rank: number }[] = [];
  for (let rank = 0; ordered.length < items.length; rank++) {
    for (const queue of queues.values()) {
      const item = queue[rank];
      if (item !== undefined) ordered.push({ item, rank });
    }
  }
  return ordered;
}
