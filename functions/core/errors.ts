import type { FailureCode } from "./task/failure-codes.js";

/** Domain errors. Adapters translate SDK and HTTP failures into these; the HTTP layer maps them once. */
export class GatewayError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A request that breaks a rule of the API contract; the message names the field. */
export class InvalidRequestError extends GatewayError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The image itself breaks a rule (format, size, dimensions): a 400 at creation, `invalid_image` later. */
export class InvalidImageError extends InvalidRequestError {
  constructor(problem: string) {
    super(`image: ${problem}`, "image");
  }
}

/** The image URL could not be read. Retryable for network errors, timeouts, 429 and 5xx. */
export class ImageFetchError extends GatewayError {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * An outbound URL leads where the URL policy forbids (a private address, a local name, http, a port
 * other than 443 when deployed). Never retryable: the same name will be refused again.
 */
export class ForbiddenDestinationError extends GatewayError {}

export class AuthenticationError extends GatewayError {}

export class NotFoundError extends GatewayError {}

export class InsufficientCreditsError extends GatewayError {
  constructor(
    readonly needed: number,
    readonly remaining: number | null,
  ) {
    super(`this task costs ${needed} credits and ${remaining ?? 0} remain`);
  }
}

export class IdempotencyConflictError extends GatewayError {
  constructor() {
    super("this Idempotency-Key was already used with a different request body");
  }
}

export class PayloadTooLargeError extends GatewayError {}

/** The tenant has used its requests of this minute; `retryAfterSeconds` is when the next one starts. */
export class RateLimitedError extends GatewayError {
  constructor(
    readonly limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`rate limit of ${limit} requests per minute reached; retry in ${retryAfterSeconds} s`);
  }
}

/** Another worker changed the record first: a normal outcome of a race, not a failure. */
export class ConflictError extends GatewayError {}

/** What the caller asked cannot be done in the task's state (e.g. canceling a completed task): a 409. */
export class TaskStateError extends GatewayError {}

/** The state machine forbids the move; a defect if it ever reaches a user. */
export class IllegalTransitionError extends GatewayError {}

/** The upstream failed in a way that may pass: network, timeout, 429, 5xx. */
export class UpstreamRetryableError extends GatewayError {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The upstream said it is rate limited (HTTP 429, MiniMax 1002): every instance should slow down. */
export class UpstreamRateLimitedError extends UpstreamRetryableError {}

/**
 * A create whose fate we cannot know: the request was sent, then the answer timed out, the
 * connection broke, or a 5xx came back. The upstream may have accepted (and billed) it.
 */
export class UpstreamAmbiguousError extends UpstreamRetryableError {}

/** The upstream refused for good (bad input, moderation, auth, balance): the task fails with `code`. */
export class UpstreamPermanentError extends GatewayError {
  constructor(
    readonly code: FailureCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A defect of ours (a record in a state the code never writes, a missing price): not the upstream's doing. */
export class InternalError extends GatewayError {}

/** The store is throttled or a transaction collided past its retries: trying later is the remedy. */
export class StoreBusyError extends GatewayError {}

/** The tenant a task or charge names has no record (deleted by hand, or never seeded). */
export class MissingTenantError extends GatewayError {
  constructor(readonly tenantId: string) {
    super(`tenant ${tenantId} does not exist`);
  }
}
