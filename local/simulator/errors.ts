export const errorTypes = {
  400: "invalid_request",
  401: "authentication_error",
  403: "forbidden",
  404: "not_found",
  413: "payload_too_large",
  429: "rate_limit_exceeded",
  500: "internal_error",
} as const;

export type ErrorStatus = keyof typeof errorTypes;

export type ErrorBody = {
  error: { code: ErrorStatus; message: string; type: (typeof errorTypes)[ErrorStatus] };
};

/** Any failure the simulator answers on purpose; `onError` turns it into the public API's error body. */
export class SimulatorHttpError extends Error {
  constructor(
    readonly status: ErrorStatus,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options);
    this.name = "SimulatorHttpError";
    this.headers = options?.headers ?? {};
  }

  readonly headers: Record<string, string>;
}

export const errorBody = (status: ErrorStatus, message: string): ErrorBody => ({
  error: { code: status, message, type: errorTypes[status] },
});

/** A generation that ends `failed`: the code is machine-readable and stable. */
export class GenerationFailedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "GenerationFailedError";
  }
}
