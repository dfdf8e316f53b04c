import { narrowLinks } from "./link-policies";

narrowLinks();

/**
 * The one table, shaped exactly as functions/adapters/dynamo/table-definition.ts (a test compares
 * them). On-demand billing is SST's default for Dynamo.
 */
export const table = new sst.aws.Dynamo("Tasks", {
  fields: {
    pk: "string",
    sk: "string",
    due: "string",
    nextPollAt: "number",
    owner: "string",
    createdAt: "string",
  },
  primaryIndex: { hashKey: "pk", rangeKey: "sk" },
  globalIndexes: {
    // Sparse: only unfinished tasks and pending webhooks carry `due`; the poller needs keys only.
    byDue: { hashKey: "due", rangeKey: "nextPollAt", projection: "keys-only" },
    // A tenant's tasks, newest first; listing reads whole items.
    byOwner: { hashKey: "owner", rangeKey: "createdAt", projection: "all" },
  },
  ttl: "expiresAt",
});

/** inbox/, inputs/, outputs/, inbox-errors/ (functions/core/output-keys.ts). Private: SST's default. */
export const bucket = new sst.aws.Bucket("Media");
