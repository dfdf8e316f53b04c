import { bucketLayout } from "../functions/core/output-keys";
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
    // A tenant's tasks, newest first, and the API keys: keys and the few attributes listings filter
    // on or show, none of which a poll or a move between unfinished phases changes.
    // functions/adapters/dynamo/table-definition.ts says why.
    byOwner: {
      hashKey: "owner",
      rangeKey: "createdAt",
      projection: ["status", "tenantId", "prefix", "revokedAt"],
    },
  },
  ttl: "expiresAt",
});

/**
 * inputs/ holds our copy of each task's image, read by the upstream through a presigned URL while
 * the task runs (TASK_DEADLINE_MS, 2 h; INPUT_URL_TTL_SECONDS, 6 h): a week is ample, and the copies
 * stop accruing storage after it.
 */
export const inputsExpireAfterDays = 7;

/** Parts of a multipart upload that never completed (a poller stopped mid-copy) are billed until aborted. */
export const incompleteUploadsAbortAfterDays = 1;

/** Uploads (POST /api/v1/uploads) are taken into a task within minutes; a day is ample. */
export const uploadsExpireAfterDays = 1;

/**
 * inbox/, inputs/, outputs/, inbox-errors/, uploads/ (functions/core/output-keys.ts). Private: SST's
 * default. CORS lets a browser page (the console) PUT an upload to its presigned URL and play a video
 * from one: GET, HEAD and PUT only (SST's default would allow every method), and a request still
 * needs a valid signature, so the rule opens nothing that the presigned URL did not already.
 */
export const bucket = new sst.aws.Bucket("Media", {
  cors: {
    allowOrigins: ["*"],
    allowMethods: ["GET", "HEAD", "PUT"],
    allowHeaders: ["*"],
    exposeHeaders: ["ETag"],
    maxAge: "1 hour",
  },
  lifecycle: [
    { id: "expire-inputs", prefix: bucketLayout.inputsPrefix, expiresIn: `${inputsExpireAfterDays} days` },
    { id: "expire-uploads", prefix: bucketLayout.uploadsPrefix, expiresIn: `${uploadsExpireAfterDays} days` },
  ],
  transform: {
    // SST's lifecycle rules cannot say "abort incomplete multipart uploads": add that rule here,
    // to the same (one per bucket) lifecycle configuration.
    lifecycle: (args) => {
      args.rules = $output(args.rules).apply((rules) => [
        ...(rules ?? []),
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: {},
          abortIncompleteMultipartUpload: { daysAfterInitiation: incompleteUploadsAbortAfterDays },
        },
      ]);
    },
  },
});
