import { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import type { Logger } from "../core/ports.js";

/** Structured JSON logs (Powertools), one logger per function, shared by everything it calls. */
export function createLogger(serviceName: string, level: string): Logger {
  const logger = new PowertoolsLogger({ serviceName, logLevel: level as "INFO" });
  return {
    debug: (message, extra) => logger.debug(message, extra ?? {}),
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  };
}
