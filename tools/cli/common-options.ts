import { type Command, InvalidArgumentError, Option } from "commander";
import { localDefaults } from "../../local/stack/local-config.js";
import { createApiClient } from "./api-client.js";
import { UsageError } from "./errors.js";
import { createOutput } from "./output.js";

/** The local stack's api (`npm start`) and the key it seeds: what the CLI talks to unless told otherwise. */
export const defaultApiUrl = `http://127.0.0.1:${localDefaults.PORT}`;
export const defaultApiKey = localDefaults.LOCAL_API_KEY;

export type CommonOptions = { url: string; key: string; json: boolean; interval: number };

export const positiveInteger =
  (name: string, max = Number.MAX_SAFE_INTEGER) =>
  (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1 || number > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}`);
    }
    return number;
  };

/** `--url`, `--key`, `--json` and `--interval` on every command that talks to the API. */
export function withApiOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--url <url>", "the gateway's base URL").env("HAILUO_API_URL").default(defaultApiUrl),
    )
    .addOption(new Option("--key <key>", "your API key").env("HAILUO_API_KEY").default(defaultApiKey))
    .option("--json", "print JSON (the API's data) instead of lines", false)
    .addOption(
      new Option("--interval <ms>", "how often to poll a task's status")
        .argParser(positiveInteger("--interval", 60_000))
        .default(1000),
    );
}

export function connect(options: CommonOptions) {
  try {
    new URL(options.url);
  } catch {
    throw new UsageError(`--url must be a URL such as ${defaultApiUrl}, not ${options.url}`);
  }
  return { api: createApiClient({ url: options.url, key: options.key }), output: createOutput(options) };
}
