/** The CLI's errors; each knows its exit code (1: the API or the task said no; 2: the command was not understood). */
export class CliError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command line itself is wrong: exit code 2. */
export class UsageError extends CliError {
  override readonly exitCode = 2;
}

/** The API answered with its error body `{error:{code,message,type}}` (or something it should not have). */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }

  /** The error body as the API sent it, for `--json`. */
  toJSON() {
    return { error: { code: this.status, message: this.message, type: this.type } };
  }
}

/** The API could not be reached at all. */
export class ConnectionError extends CliError {}
