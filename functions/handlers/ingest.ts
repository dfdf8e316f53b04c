import type { S3Event } from "aws-lambda";
import { createdObjects } from "../adapters/s3/s3-event-keys.js";
import { loadRuntime } from "../config/runtime.js";
import { ingestOptionsFrom } from "../core/inbox/ingest-options.js";
import { ingestObjects, requireNoRetryableFailure } from "../core/use-cases/ingest-objects.js";

const { deps, settings } = loadRuntime("ingest");
const options = ingestOptionsFrom(settings.environment);

/**
 * S3 ObjectCreated on inbox/: each image becomes a task. Throws (so Lambda delivers the event
 * again) only when an object failed for a reason that may pass; a rejected object never does.
 */
export async function handler(event: S3Event): Promise<void> {
  requireNoRetryableFailure(await ingestObjects(deps, options, createdObjects(event)));
}
