import { createHash } from "node:crypto";

/** Item keys of the single table. Every item type is named here, nowhere else. */
export const itemKeys = {
  task: (taskId: string) => ({ pk: `TASK#${taskId}`, sk: "TASK" }),
  delivery: (taskId: string, eventType: string) => ({ pk: `TASK#${taskId}`, sk: `DELIVERY#${eventType}` }),
  tenant: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: "TENANT" }),
  apiKey: (keyHash: string) => ({ pk: `APIKEY#${keyHash}`, sk: "APIKEY" }),
  idempotency: (scope: string) => ({ pk: `IDEMPOTENCY#${scope}`, sk: "IDEMPOTENCY" }),
  /** A tenant's request count in the minute starting at `windowStartMs` (ISO time, readable in a scan). */
  rateWindow: (tenantId: string, windowStartMs: number) => ({
    pk: `RATELIMIT#${tenantId}`,
    sk: `MINUTE#${new Date(windowStartMs).toISOString()}`,
  }),
  /** An upstream provider's shared request budget (see core/upstream-pace.ts). */
  upstreamPace: (provider: string) => ({ pk: `PACE#${provider}`, sk: "PACE" }),
  /** What is learned of one kind of generation: its first poll's delay (see core/first-poll.ts). */
  firstPoll: (kind: string) => ({ pk: `FIRSTPOLL#${kind}`, sk: "FIRSTPOLL" }),
};

/**
 * The owner index's partition that holds every API key item (tenant ids cannot contain `#`, so no
 * tenant's task list ever meets it): listing keys is one Query over keys, never a scan of tasks.
 */
export const apiKeysOwner = "#apikeys";

/** Spreads due work over a few index partitions so that no one partition runs hot. */
export function dueShard(id: string, shards: number): string {
  const bucket = createHash("sha1").update(id).digest().readUInt32BE(0) % shards;
  return `due#${bucket}`;
}

export function allDueShards(shards: number): string[] {
  return Array.from({ length: shards }, (_, index) => `due#${index}`);
}

export function taskIdOfPk(pk: string): string {
  return pk.slice("TASK#".length);
}
