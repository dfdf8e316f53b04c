/**
 * What the use cases need from the world. Adapters implement these against DynamoDB, S3, HTTP;
 * tests pass the real adapters wired to local servers.
 */
import type { Readable } from "node:stream";
import type { Duration, Model, Resolution } from "./create-request.js";
import type { FirstPollNudge } from "./first-poll.js";
import type { MetricName } from "./metrics.js";
import type { FailureCode } from "./task/failure-codes.js";
import type { PublicStatus } from "./task/phases.js";
import type { Task } from "./task/task.js";
import type { ApiKeyRecord, Tenant } from "./tenant.js";
import type { WebhookDelivery } from "./webhook-delivery.js";

export type Clock = { now(): number };

/** Writes log lines; an `error` field should be the Error itself, so its stack and cause are kept. */
export type LogWriter = {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
};

export type Logger = LogWriter & {
  /** A logger whose every line carries `taskId`: the correlation id of the work on one task. */
  forTask(taskId: string): Logger;
};

/**
 * Counts and durations an operator watches (CloudWatch EMF on AWS). Recorded in memory, written by
 * `flush` at the end of each invocation; the names and dimensions are core/metrics.ts's.
 */
export type Metrics = {
  count(name: MetricName, dimensions?: Readonly<Record<string, string>>): void;
  milliseconds(name: MetricName, value: number, dimensions?: Readonly<Record<string, string>>): void;
  flush(): void;
};

export type CreateTaskOutcome = { created: true; task: Task } | { created: false; existingTaskId: string };

export type Idempotency = { scope: string; requestHash: string; expiresAt: number };

export type DueItem =
  | { kind: "task"; taskId: string }
  | { kind: "delivery"; taskId: string; eventType: string };

export type TaskListQuery = { limit: number; cursor?: string; status?: PublicStatus };
export type TaskPage = { tasks: Task[]; nextCursor?: string };

export type TaskStore = {
  /**
   * Records a new task, charges its credits and claims the idempotency scope, all or nothing.
   * Throws InsufficientCreditsError; answers `created: false` when the scope was claimed before
   * with the same request hash, IdempotencyConflictError when with another.
   */
  createTask(task: Task, tenant: Tenant, idempotency?: Idempotency): Promise<CreateTaskOutcome>;
  getTask(taskId: string): Promise<Task | undefined>;
  /** Many tasks at once, read as consistently as getTask, by id; a task that does not exist is absent. */
  getTasks(taskIds: readonly string[]): Promise<Map<string, Task>>;
  /** The task an unexpired idempotency scope was claimed for, and the request hash it was claimed with. */
  findIdempotent(scope: string, now: number): Promise<{ taskId: string; requestHash: string } | undefined>;
  /**
   * Writes `next` if the stored task is still at `next.version - 1`, else throws ConflictError.
   * With `ending` (the write that moves the task into done, failed or canceled), the tenant's task
   * counts move in the same transaction, and with `refund` its credits come back there too; a
   * tenant that is gone makes that a MissingTenantError.
   */
  saveTask(next: Task, options?: { ending?: boolean; refund?: boolean }): Promise<Task>;
  /**
   * A tenant's tasks, newest first, `limit` at most, only those of `status` when given. `cursor` is
   * the `nextCursor` of the page before; an unreadable cursor is an InvalidRequestError.
   */
  listTasks(tenantId: string, query: TaskListQuery): Promise<TaskPage>;
  /** Work whose time has come, across the due index's shards, oldest first. */
  dueWork(now: number, limit: number): Promise<DueItem[]>;
};

export type TenantStore = {
  /** The tenant of a key that exists and is not revoked, read consistently: a revoke holds at once. */
  tenantByApiKeyHash(keyHash: string): Promise<Tenant | undefined>;
  /** `consistent` reads every write made before (counts and credits exactly); else it may lag a second. */
  getTenant(tenantId: string, read?: { consistent?: boolean }): Promise<Tenant | undefined>;
  putTenant(tenant: Tenant): Promise<void>;
  /** Writes the tenant only if no tenant has its id; false when one has. */
  createTenant(tenant: Tenant): Promise<boolean>;
  putApiKey(
    keyHash: string,
    tenantId: string,
    details?: { prefix?: string; createdAt?: string },
  ): Promise<void>;
  /** Every key of every tenant, revoked ones included, newest first. */
  listApiKeys(): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked at `revokedAt`; false when there is no such key or it was revoked before. */
  revokeApiKey(keyHash: string, revokedAt: string): Promise<boolean>;
  /** Replaces the tenant's webhook secret; false when there is no such tenant. */
  setWebhookSecret(tenantId: string, secret: string): Promise<boolean>;
  /**
   * Adds `credits` to the budget in one conditional write (safe beside concurrent charges) and
   * answers the tenant as it is after it; `missing` or `unbudgeted` (a tenant without a budget is
   * only counted: giving it one would refuse its creates in flight) when nothing was written.
   */
  addCredits(tenantId: string, credits: number): Promise<Tenant | "missing" | "unbudgeted">;
};

/** A window of time in which requests are counted, [startMs, endMs). */
export type CountingWindow = { startMs: number; endMs: number };

/** Request counters shared by every api instance. */
export type RateLimitStore = {
  /**
   * Counts one request of `counterId` in `window` if fewer than `limit` were counted there; false
   * (and nothing counted) when the limit is reached.
   */
  tryCount(counterId: string, window: CountingWindow, limit: number): Promise<boolean>;
};

/** One provider's shared budget, as its store item holds it (absent fields: never written). */
export type PaceState = {
  /** The window `count` counts in. */
  windowStartMs?: number;
  count?: number;
  /** Tasks submitted and not finished (counted only under an in-flight cap). */
  inFlight?: number;
  /** Until then the window's budget is `slowLimit` at most (a rate-limit answer halved it). */
  slowUntil?: number;
  slowLimit?: number;
  /** No create until then (the provider's Retry-After). */
  blockedUntil?: number;
};

/** One create asking for budget: `limit` per window (0: none), `maxInFlight` (0: no cap). */
export type PaceRequest = { now: number; windowStartMs: number; limit: number; maxInFlight: number };

/** Each upstream's request budget, shared by every api and poller instance. */
export type UpstreamPaceStore = {
  /**
   * Takes one create from the budget (and one in-flight slot under a cap) in one conditional write;
   * when refused, nothing is taken and the state that refused it comes back.
   */
  tryTake(provider: string, request: PaceRequest): Promise<{ ok: true } | { ok: false; state: PaceState }>;
  /** Gives back an in-flight slot (never below zero). */
  release(provider: string): Promise<void>;
  /** Records a rate-limit answer; a slowdown already lasting longer is kept. */
  slowDown(
    provider: string,
    slowdown: { slowUntil: number; slowLimit: number; blockedUntil: number },
  ): Promise<void>;
};

/** What is learned of each kind of generation (see core/first-poll.ts), shared by every instance. */
export type FirstPollStore = {
  /** The learned first-poll estimate of `kind` (the natural log of ms); may be up to a minute old. */
  readEstimate(kind: string): Promise<number | undefined>;
  /** Applies one first poll's nudge, as `nudgedEstimate` does, in one write that reads nothing. */
  nudgeEstimate(kind: string, nudge: FirstPollNudge): Promise<void>;
};

export type DeliveryStore = {
  /** Records a delivery once; a second call for the same task and event is a no-op. */
  createDelivery(delivery: WebhookDelivery): Promise<boolean>;
  getDelivery(taskId: string, eventType: string): Promise<WebhookDelivery | undefined>;
  /** Conditional on `next.version - 1`, like saveTask. */
  saveDelivery(next: WebhookDelivery): Promise<WebhookDelivery>;
  listDeliveries(taskId: string): Promise<WebhookDelivery[]>;
};

export type MediaStore = {
  putObject(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  /** Streams `body` into `key` by multipart upload, in constant memory. */
  uploadStream(key: string, body: Readable, contentType: string): Promise<{ bytes: number }>;
  /**
   * A multipart upload whose parts are sent one by one, so that a copy can be resumed by another
   * worker from the parts recorded so far. Parts but the last must be 5 MiB at least.
   */
  startMultipart(key: string, contentType: string): Promise<{ uploadId: string }>;
  /** Sends part `partNumber` (1-based; sending a number again replaces it); answers its ETag. */
  uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<{ eTag: string }>;
  completeMultipart(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void>;
  /** Frees an upload's parts; no error when it is already gone. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
  /** Copies `fromKey`; with `ifMatch`, only if it is still that version (else throws). */
  copyObject(fromKey: string, toKey: string, options?: { ifMatch?: string }): Promise<void>;
  exists(key: string): Promise<boolean>;
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
  /** A URL that lets whoever holds it PUT `key` once, with exactly that content type (and length). */
  presignPut(
    key: string,
    upload: { contentType: string; contentLength?: number; expiresInSeconds: number },
  ): Promise<string>;
  /** Size, ETag (unquoted), content type and user metadata (lower-case keys), or undefined when absent. */
  head(key: string): Promise<StoredObjectHead | undefined>;
  /** Bytes `start..endInclusive` of `key` (fewer when the object is shorter); `ifMatch` pins the ETag. */
  readRange(
    key: string,
    start: number,
    endInclusive: number,
    options?: { ifMatch?: string },
  ): Promise<Uint8Array>;
  /** Removes `key`; no error when it is already gone. */
  deleteObject(key: string): Promise<void>;
  /**
   * The object as UTF-8 text, or undefined when it does not exist. Reads at most `maxBytes + 1`
   * bytes, so a caller can tell a file over its limit without holding it whole.
   */
  getText(key: string, maxBytes: number): Promise<string | undefined>;
};

export type UploadedPart = { partNumber: number; eTag: string };

export type StoredObjectHead = {
  size: number;
  eTag: string;
  contentType: string | undefined;
  metadata: Record<string, string>;
};

/** Reads a caller's image URL. Throws ImageFetchError, nothing else. */
export type ImageSource = {
  /** The image's bytes, as they come; their format is read from the bytes, not from headers. */
  open(url: string): Promise<Readable>;
};

export type UpstreamCreateRequest = {
  model: Model;
  prompt: string;
  imageUrl: string;
  duration: Duration;
  resolution: Resolution;
  promptOptimizer: boolean;
  /** Where a provider that pushes should tell us of status changes (MiniMax's callback_url). */
  callbackUrl?: string;
};

export type UpstreamTaskState =
  | { state: "running"; progress?: number }
  | { state: "succeeded"; videoUrl: string }
  | { state: "failed"; code: FailureCode; message: string };

/** An upstream provider. Throws UpstreamRetryableError or UpstreamPermanentError, nothing else. */
export type UpstreamProvider = {
  readonly name: string;
  /** Whether it pushes status changes to `callbackUrl` (MiniMax does, the seed API does not). */
  readonly acceptsCallbacks?: boolean;
  /** `traceId` is the provider's own request id, kept on the task for its support. */
  createTask(request: UpstreamCreateRequest): Promise<{ taskId: string; traceId?: string }>;
  getTask(taskId: string): Promise<UpstreamTaskState>;
  /**
   * Opens the finished video for streaming, from byte `start` on (a Range request) when given: a
   * copy resumed after its worker stopped reads only what it has not stored yet.
   */
  openVideo(videoUrl: string, options?: { start?: number }): Promise<Readable>;
};

export type WebhookAttemptResult =
  | { ok: true; status: number }
  /** `retryable: false` when no later attempt can do better (the secret cannot sign, the tenant is gone). */
  | { ok: false; status?: number; error: string; retryAfterMs?: number; retryable?: false };

export type WebhookSender = {
  send(request: {
    url: string;
    messageId: string;
    timestamp: Date;
    body: string;
    secret: string;
  }): Promise<WebhookAttemptResult>;
};
