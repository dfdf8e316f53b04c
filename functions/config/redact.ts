import type { Logger, LogWriter } from "../core/ports.js";
import { redactSecrets } from "../core/redact.js";

/**
 * Every logger the functions use goes through this: errors become objects (name, message, stack,
 * cause, code) instead of `String(error)`, and every string, at any depth, loses its secrets
 * (signed URL queries, bearer tokens, webhook secrets; see core/redact.ts).
 */
export function redactingLogger(inner: LogWriter & Partial<Pick<Logger, "forTask">>): Logger {
  const clean = (extra?: Record<string, unknown>) =>
    extra ? (loggable(extra) as Record<string, unknown>) : extra;
  return {
    debug: (message, extra) => inner.debug(redactSecrets(message), clean(extra)),
    info: (message, extra) => inner.info(redactSecrets(message), clean(extra)),
    warn: (message, extra) => inner.warn(redactSecrets(message), clean(extra)),
    error: (message, extra) => inner.error(redactSecrets(message), clean(extra)),
    forTask: (taskId) => redactingLogger(inner.forTask ? inner.forTask(taskId) : withKeys(inner, { taskId })),
  };
}

/** A plain writer (a test's, say) made to carry `keys` on every line, as a child logger would. */
function withKeys(inner: LogWriter, keys: Record<string, unknown>): LogWriter {
  return {
    debug: (message, extra) => inner.debug(message, { ...keys, ...extra }),
    info: (message, extra) => inner.info(message, { ...keys, ...extra }),
    warn: (message, extra) => inner.warn(message, { ...keys, ...extra }),
    error: (message, extra) => inner.error(message, { ...keys, ...extra }),
  };
}

/** A value as it may be logged: errors as plain objects, strings redacted, depth bounded. */
export function loggable(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    const { code, status } = value as { code?: unknown; status?: unknown };
    return {
      name: value.name,
      message: redactSecrets(value.message),
      ...(value.stack ? { stack: redactSecrets(value.stack) } : {}),
      ...(code === undefined ? {} : { code }),
      ...(status === undefined ? {} : { status }),
      ...(value.cause === undefined ? {} : { cause: loggable(value.cause, depth + 1) }),
    };
  }
  if (Array.isArray(value)) return value.map((entry) => loggable(entry, depth + 1));
  // Dates, buffers and the like are left to the logger's own serialisation.
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, loggable(entry, depth + 1)]));
}
