import { Command } from "commander";
import { runKeys } from "../../keys/run-keys.js";

export const keysCommand = () =>
  new Command("keys")
    .description(
      "tenants and their API keys (the admin of npm run keys): create, list, revoke, rotate-secret, add-credits",
    )
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument("[arguments...]", "as for npm run keys");

/** `hailuo keys …`: the keys admin, run in this process with its own exit codes. */
export const keys = (argv: string[]): Promise<number> =>
  runKeys(
    argv,
    { out: (text) => console.log(text), err: (text) => console.error(text) },
    { env: process.env, cwd: process.cwd() },
  );
