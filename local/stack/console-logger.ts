import type { Logger } from "../../functions/core/ports.js";

const order = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3, SILENT: 4 } as const;

/** Terminal-friendly logs for the local stack: one short line per event, fields as key=value. */
export function createConsoleLogger(
  level: keyof typeof order = "INFO",
  keys: Record<string, string> = {},
): Logger {
  const write = (name: keyof typeof order, message: string, extra?: Record<string, unknown>) => {
    if (order[name] < order[level]) return;
    const time = new Date().toISOString().slice(11, 19);
    const fields = Object.entries({ ...keys, ...extra })
      .map(
        ([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(shortError(value))}`,
      )
      .join(" ");
    const line = `${time} ${name.padEnd(5)} ${message}${fields ? `  ${fields}` : ""}`;
    (name === "ERROR" || name === "WARN" ? console.error : console.log)(line);
  };
  return {
    debug: (message, extra) => write("DEBUG", message, extra),
    info: (message, extra) => write("INFO", message, extra),
    warn: (message, extra) => write("WARN", message, extra),
    error: (message, extra) => write("ERROR", message, extra),
    forTask: (taskId) => createConsoleLogger(level, { ...keys, taskId }),
  };
}

/** An error logged as an object (name, message, stack, cause) shows as its messages on a terminal. */
function shortError(value: unknown): unknown {
  if (!value || typeof value !== "object" || !("stack" in value) || !("message" in value)) return value;
  const { name, message, cause } = value as { name?: unknown; message?: unknown; cause?: unknown };
  const causeText = cause === undefined ? "" : ` (cause: ${JSON.stringify(shortError(cause))})`;
  return `${String(name)}: ${String(message)}${causeText}`;
}
