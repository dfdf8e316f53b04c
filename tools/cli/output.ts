import type { TaskStatus } from "./api-client.js";
import { ApiError, CliError } from "./errors.js";

/** Where the CLI writes: stdout for results, stderr for errors; bars only for a person at a terminal. */
export type Output = {
  json: boolean;
  /** Bars and redrawn lines; false with --json or when stdout is not a TTY (plain lines then). */
  interactive: boolean;
  stream: NodeJS.WritableStream;
  line(text: string): void;
  printJson(value: unknown): void;
  error(text: string): void;
};

export function createOutput(options: { json: boolean }): Output {
  const interactive = !options.json && process.stdout.isTTY === true;
  return {
    json: options.json,
    interactive,
    stream: process.stdout,
    line: (text) => void process.stdout.write(`${text}\n`),
    printJson: (value) => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    error: (text) => void process.stderr.write(`${text}\n`),
  };
}

/** An error as a person reads it (`hailuo: <message> (HTTP 401 authentication_error)`), or as JSON. */
export function reportError(output: Output, error: unknown): number {
  if (error instanceof ApiError) {
    if (output.json) output.printJson(error.toJSON());
    output.error(`hailuo: ${error.message} (HTTP ${error.status} ${error.type})`);
    return error.exitCode;
  }
  if (error instanceof CliError) {
    if (output.json) output.printJson({ error: { message: error.message, type: error.name } });
    output.error(`hailuo: ${error.message}`);
    return error.exitCode;
  }
  output.error(`hailuo: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
  return 1;
}

/** One task in a few lines: what `status` prints and `generate` ends with. */
export function describeTask(task: TaskStatus): string[] {
  const lines = [
    `task      ${task.task_id}`,
    `status    ${task.status} (${task.phase})`,
    `model     ${task.model ?? "?"}, ${task.duration ?? "?"} s, ${task.resolution ?? "?"}, ${task.credits ?? "?"} credits`,
  ];
  if (task.prompt) lines.push(`prompt    ${task.prompt}`);
  if (task.created_at) lines.push(`created   ${task.created_at}`);
  if (task.error) lines.push(`error     ${task.error.code}: ${task.error.message}`);
  if (task.video_url) lines.push(`video     ${task.video_url}`);
  return lines;
}

/** One task on one line, for `list`. */
export function taskRow(task: TaskStatus): string {
  const prompt = (task.prompt ?? "").replace(/\s+/g, " ");
  const short = prompt.length > 40 ? `${prompt.slice(0, 39)}…` : prompt;
  return [task.task_id, task.status.padEnd(11), task.phase.padEnd(10), task.created_at ?? "", short].join(
    "  ",
  );
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
