import pLimit from "p-limit";
import type { CreateRequest } from "../create-request.js";
import type { Deps } from "../deps.js";
import { InsufficientCreditsError, InternalError, InvalidRequestError } from "../errors.js";
import { formatBytes } from "../format-bytes.js";
import { imageMimeType } from "../image/image-info.js";
import {
  errorReportKey,
  type InboxErrorReport,
  type RejectionCode,
  rejectionCodes,
} from "../inbox/error-report.js";
import { checkStoredImage } from "../inbox/image-header.js";
import type { IngestOptions } from "../inbox/ingest-options.js";
import { describeSettingsProblem, resolveSettings } from "../inbox/resolve-settings.js";
import { inboxKeyKind } from "../inbox/settings-locations.js";
import { createSettingsReader } from "../inbox/settings-reader.js";
import type { StoredObjectHead } from "../ports.js";
import { recordableMessage } from "../redact.js";
import type { Tenant } from "../tenant.js";
import { submitTask } from "./submit-task.js";

/** An object an S3 ObjectCreated event names (adapters' `CreatedObject` fits): key decoded, ETag unquoted. */
export type InboxObject = { bucket: string; key: string; size: number; eTag: string };

export type IngestOutcome = { key: string; eTag: string } & (
  | { outcome: "created"; taskId: string }
  | { outcome: "duplicate"; taskId: string }
  | { outcome: "skipped"; reason: string }
  | { outcome: "rejected"; code: RejectionCode; message: string }
  /** Something that may pass (S3, DynamoDB, configuration): the event should be delivered again. */
  | { outcome: "failed"; error: string }
);

type Batch = {
  deps: Deps;
  options: IngestOptions;
  fileLayers: ReturnType<typeof createSettingsReader>;
  tenant: () => Promise<Tenant>;
};

/**
 * The drop folder: each image under inbox/ becomes one task of the inbox tenant, through the same
 * submitTask as the API. Idempotent on (bucket, key, ETag), so events seen twice make one task. An
 * object that cannot become a task gets `inbox-errors/<key>.json` and is left where it is.
 */
export async function ingestObjects(
  deps: Deps,
  options: IngestOptions,
  objects: InboxObject[],
): Promise<IngestOutcome[]> {
  let tenant: Promise<Tenant> | undefined;
  const batch: Batch = {
    deps,
    options,
    fileLayers: createSettingsReader(deps.media),
    tenant: () => {
      tenant ??= loadTenant(deps, options.tenantId).catch((error) => {
        tenant = undefined;
        throw error;
      });
      return tenant;
    },
  };
  const limit = pLimit(Math.max(1, options.concurrency));
  return Promise.all(objects.map((object) => limit(() => ingestOne(batch, object))));
}

async function ingestOne(batch: Batch, object: InboxObject): Promise<IngestOutcome> {
  const { deps } = batch;
  const base = { key: object.key, eTag: object.eTag };
  try {
    const outcome = await admit(batch, object);
    if (outcome.outcome === "rejected") {
      await writeReport(deps, outcome, outcome.code, outcome.message);
      deps.logger.warn("inbox object rejected", {
        key: object.key,
        code: outcome.code,
        reason: outcome.message,
      });
    } else if (outcome.outcome === "created" || outcome.outcome === "duplicate") {
      deps.logger.info(`inbox object ${outcome.outcome}`, { key: object.key, taskId: outcome.taskId });
      // A report from an earlier, refused try of this key would now mislead (S3 deletes are free).
      if (outcome.outcome === "created") await removeStaleReport(deps, object.key);
    }
    return outcome;
  } catch (error) {
    deps.logger.error("inbox object failed; the event will be retried", {
      key: object.key,
      error,
    });
    return { ...base, outcome: "failed", error: recordableMessage(error) };
  }
}

/** Which object version an event names, and whether it is still there to be taken. */
async function admit(batch: Batch, object: InboxObject): Promise<IngestOutcome> {
  const { deps } = batch;
  const base = { key: object.key, eTag: object.eTag };
  const kind = inboxKeyKind(object.key);
  if (kind !== "image") return { ...base, outcome: "skipped", reason: skipReasons[kind] };
  // A redelivered event costs one read: the object version it names made its task already.
  const known = object.eTag ? await earlierTask(deps, object, object.eTag) : undefined;
  if (known) return { ...base, outcome: "duplicate", taskId: known };
  const head = await deps.media.head(object.key);
  if (!head) return { ...base, outcome: "skipped", reason: "the object no longer exists" };
  // An event that arrives after a newer write of the same key: that write's own event covers it.
  if (object.eTag && head.eTag !== object.eTag) {
    return { ...base, outcome: "skipped", reason: "the object was replaced since this event" };
  }
  // An event without an ETag (not one of S3's): the version is known only now.
  const knownNow = object.eTag ? undefined : await earlierTask(deps, object, head.eTag);
  if (knownNow) return { ...base, eTag: head.eTag, outcome: "duplicate", taskId: knownNow };
  return examine(batch, object, head);
}

/** The task an object version made already, if any. */
async function earlierTask(deps: Deps, object: InboxObject, eTag: string): Promise<string | undefined> {
  return (await deps.tasks.findIdempotent(inboxScope(object, eTag), deps.clock.now()))?.taskId;
}

/** Checks the object's bytes and settings; a task for it if they pass, a reason in words if not. */
async function examine(batch: Batch, object: InboxObject, head: StoredObjectHead): Promise<IngestOutcome> {
  const { deps, options } = batch;
  const current = { bucket: object.bucket, key: object.key, size: head.size, eTag: head.eTag };
  if (head.size > options.maxBytes) {
    return rejected(
      current,
      rejectionCodes.tooLarge,
      `the file is ${formatBytes(head.size)}; the drop folder takes images of at most ${formatBytes(options.maxBytes)}`,
    );
  }
  const verdict = await checkStoredImage(deps.media, current);
  if (!verdict.ok) return rejected(current, verdict.code, verdict.problem);

  const layers = [
    { kind: "metadata" as const, key: object.key, values: head.metadata },
    ...(await batch.fileLayers(object.key)),
    { kind: "defaults" as const, values: options.defaults },
  ];
  const settings = resolveSettings(layers, { allowPrivateUrls: deps.settings.allowPrivateUrls });
  if (!settings.ok) {
    return rejected(current, rejectionCodes.invalidSettings, describeSettingsProblem(settings.problem));
  }
  return submitObject(batch, current, imageMimeType(verdict.info.format), settings.request);
}

/** The same submitTask as the API, idempotent on the object version, charged to the inbox's owner. */
async function submitObject(
  batch: Batch,
  object: InboxObject,
  contentType: string,
  request: CreateRequest,
): Promise<IngestOutcome> {
  const { deps, options } = batch;
  try {
    const { task, created } = await submitTask(deps, {
      tenant: await batch.tenant(),
      request,
      source: { kind: "inbox", bucket: object.bucket, key: object.key, etag: object.eTag },
      storedImage: { key: object.key, contentType, eTag: object.eTag },
      // admit read the scope a moment ago and found it free; the transaction still decides.
      scopeSeenFree: true,
      // The hash is the scope's own ETag: a replay with edited settings files is still the same object.
      idempotency: {
        scope: inboxScope(object, object.eTag),
        requestHash: object.eTag,
        expiresAt: deps.clock.now() + options.idempotencyTtlMs,
      },
    });
    return {
      key: object.key,
      eTag: object.eTag,
      outcome: created ? "created" : "duplicate",
      taskId: task.id,
    };
  } catch (error) {
    if (error instanceof InsufficientCreditsError) {
      return rejected(
        object,
        rejectionCodes.insufficientCredits,
        `the drop folder's account is out of credits: ${error.message}. Add credits, then upload the image again`,
      );
    }
    if (error instanceof InvalidRequestError)
      return rejected(object, rejectionCodes.invalidRequest, error.message);
    throw error;
  }
}

function rejected(
  object: { key: string; eTag: string },
  code: RejectionCode,
  message: string,
): IngestOutcome {
  return { key: object.key, eTag: object.eTag, outcome: "rejected", code, message };
}

/** One task per object version: the idempotency scope of (bucket, key, ETag). */
function inboxScope(object: InboxObject, eTag: string): string {
  return `inbox#${object.bucket}#${object.key}#${eTag}`;
}

const skipReasons = {
  outside: "not under inbox/",
  "folder-marker": "a folder marker",
  "system-file": "a file desktop tools leave beside photos (.DS_Store, Thumbs.db…)",
  settings: "a settings file (sidecar or _settings.json), not an image",
} as const;

async function loadTenant(deps: Deps, tenantId: string): Promise<Tenant> {
  if (!tenantId) throw new InternalError("INBOX_TENANT_ID is not set: the drop folder has no owner");
  const tenant = await deps.tenants.getTenant(tenantId);
  if (!tenant)
    throw new InternalError(`the drop folder's owner ${tenantId} (INBOX_TENANT_ID) does not exist`);
  return tenant;
}

async function removeStaleReport(deps: Deps, key: string): Promise<void> {
  await deps.media.deleteObject(errorReportKey(key)).catch((error: unknown) => {
    deps.logger.warn("could not remove an old error report", { key, error });
  });
}

async function writeReport(
  deps: Deps,
  object: { key: string; eTag: string },
  code: RejectionCode,
  message: string,
): Promise<void> {
  const report: InboxErrorReport = {
    key: object.key,
    etag: object.eTag,
    error: { code, message },
    at: new Date(deps.clock.now()).toISOString(),
  };
  await deps.media.putObject(
    errorReportKey(object.key),
    `${JSON.stringify(report, null, 2)}\n`,
    "application/json",
  );
}
