/**
 * `hailuo`: the gateway from a terminal. generate, batch, status, list, cancel, usage, keys.
 * Exit codes: 0 done, 1 a failed task or an API error, 2 a command line not understood.
 */
import { Command, CommanderError } from "commander";
import { batch, batchCommand } from "./commands/batch.js";
import { generate, generateCommand } from "./commands/generate.js";
import { keys, keysCommand } from "./commands/keys.js";
import {
  cancel,
  cancelCommand,
  list,
  listCommand,
  status,
  statusCommand,
  usage,
  usageCommand,
} from "./commands/tasks.js";
import { createOutput, reportError } from "./output.js";

type Action = (...args: never[]) => Promise<number>;

export async function runCli(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command("hailuo")
    .description("Image-to-video with the hailuo-gateway: generate, follow and download videos")
    .exitOverride()
    .showHelpAfterError("(hailuo --help lists the commands)")
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  // Each action answers its exit code; an error thrown on the way is reported by `reportError`.
  const bind = (command: Command, action: Action, last = (args: unknown[]) => args.at(-2)) =>
    program.addCommand(
      // Commands made apart from the program inherit nothing of it: each is told to throw, not exit.
      command
        .exitOverride()
        .showHelpAfterError(`(hailuo ${command.name()} --help says how)`)
        .action(async (...args: unknown[]) => {
          const options = last(args) as { json?: boolean };
          try {
            exitCode = await (action as (...values: unknown[]) => Promise<number>)(...args.slice(0, -1));
          } catch (error) {
            exitCode = reportError(createOutput({ json: options?.json === true }), error);
          }
        }),
    );
  bind(generateCommand(), generate);
  bind(batchCommand(), batch);
  bind(statusCommand(), status);
  bind(listCommand(), list);
  bind(cancelCommand(), cancel);
  bind(usageCommand(), usage);
  bind(keysCommand(), keys, () => ({}));

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // --help and a bare `hailuo` print the help; anything else commander refused is bad usage.
    return error.code === "commander.helpDisplayed" || error.code === "commander.version" ? 0 : 2;
  }
  return exitCode;
}
