import type { InboxDefaults } from "./resolve-settings.js";

export type IngestOptions = {
  /** The drop folder's owner: its tasks, its credits, its default webhook. */
  tenantId: string;
  defaults: InboxDefaults;
  /** Larger objects are refused before a byte of them is read. */
  maxBytes: number;
  /** Objects of one batch handled at once. */
  concurrency: number;
  /** How long an object's (bucket, key, ETag) stays claimed; a re-upload after that makes a new task. */
  idempotencyTtlMs: number;
};

/**
 * The options from the deployment's INBOX_* settings, for the ingest handler and the local stack
 * alike (so both run the very same use case with the very same options).
 */
export function ingestOptionsFrom(environment: {
  INBOX_TENANT_ID: string;
  INBOX_DEFAULT_PROMPT: string;
  INBOX_DEFAULT_MODEL: string;
  INBOX_DEFAULT_DURATION: string;
  INBOX_DEFAULT_RESOLUTION: string;
  INBOX_MAX_BYTES: number;
  INBOX_CONCURRENCY: number;
  INBOX_IDEMPOTENCY_TTL_SECONDS: number;
}): IngestOptions {
  return {
    tenantId: environment.INBOX_TENANT_ID,
    defaults: {
      prompt: environment.INBOX_DEFAULT_PROMPT,
      model: environment.INBOX_DEFAULT_MODEL,
      duration: environment.INBOX_DEFAULT_DURATION,
      resolution: environment.INBOX_DEFAULT_RESOLUTION,
    },
    maxBytes: environment.INBOX_MAX_BYTES,
    concurrency: environment.INBOX_CONCURRENCY,
    idempotencyTtlMs: environment.INBOX_IDEMPOTENCY_TTL_SECONDS * 1000,
  };
}
