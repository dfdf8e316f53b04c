import { type LogFormatter, Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import type { Logger } from "../core/ports.js";

/** The logger of one function: the port, and the Lambda context it adds to every line. */
export type FunctionLogger = Logger & {
  /** Called at the start of each invocation: request id, function name and cold start on every line. */
  addContext(context: Context): void;
};

/** Structured JSON logs (Powertools), one logger per function, shared by everything it calls. */
export function createLogger(
  serviceName: string,
  level: string,
  options: { logFormatter?: LogFormatter } = {},
): FunctionLogger {
  const logger = new PowertoolsLogger({ serviceName, logLevel: level as "INFO", ...options });
  return { ...powertoolsPort(logger), addContext: (context) => logger.addContext(context) };
}

function powertoolsPort(logger: PowertoolsLogger): Logger {
  return {
    debug: (message, extra) => logger.debug(message, extra ?? {}),
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
    forTask: (taskId) => {
      // A child keeps the parent's Lambda context; the task id becomes its correlation id too.
      const child = logger.createChild({ persistentKeys: { taskId } });
      child.setCorrelationId(taskId);
      return powertoolsPort(child);
    },
  };
}
