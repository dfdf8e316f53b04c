import { Command, InvalidArgumentError, Option } from "commander";
import { type CommonOptions, connect, positiveInteger, withApiOptions } from "../common-options.js";
import { describeTask, taskRow } from "../output.js";

const statuses = ["IN_PROGRESS", "completed", "failed", "canceled"];

export const statusCommand = () =>
  withApiOptions(new Command("status").description("a task's status").argument("<task_id>"));

/** `hailuo status ID`: 0 for any task found (its status is printed); 1 when the API refuses. */
export async function status(taskId: string, options: CommonOptions): Promise<number> {
  const { api, output } = connect(options);
  const task = await api.getTask(taskId);
  if (output.json) output.printJson(task);
  else for (const line of describeTask(task)) output.line(line);
  return 0;
}

export const listCommand = () =>
  withApiOptions(
    new Command("list")
      .description("your tasks, newest first")
      .addOption(
        new Option("--status <status>", `only tasks in this status: ${statuses.join(", ")}`).argParser(
          (value) => {
            const match = statuses.find((name) => name.toLowerCase() === value.toLowerCase());
            if (!match) throw new InvalidArgumentError(`--status must be one of ${statuses.join(", ")}`);
            return match;
          },
        ),
      )
      .addOption(
        new Option("--limit <n>", "how many tasks at most")
          .argParser(positiveInteger("--limit", 1000))
          .default(20),
      ),
  );

/** `hailuo list`: follows `next_cursor` until `--limit` tasks are shown or there are no more. */
export async function list(options: CommonOptions & { status?: string; limit: number }): Promise<number> {
  const { api, output } = connect(options);
  const tasks = [];
  let cursor: string | undefined;
  do {
    const page = await api.listTasks({
      ...(options.status ? { status: options.status } : {}),
      limit: Math.min(100, options.limit - tasks.length),
      ...(cursor ? { cursor } : {}),
    });
    tasks.push(...page.tasks);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && tasks.length < options.limit);
  const shown = tasks.slice(0, options.limit);
  if (output.json) output.printJson({ tasks: shown, next_cursor: cursor ?? null });
  else if (shown.length === 0) output.line("no tasks");
  else for (const task of shown) output.line(taskRow(task));
  return 0;
}

export const cancelCommand = () =>
  withApiOptions(
    new Command("cancel").description("stop a task that has not finished").argument("<task_id>"),
  );

/** `hailuo cancel ID`: 0 when the task is canceled (or already was); 1 when it had already finished. */
export async function cancel(taskId: string, options: CommonOptions): Promise<number> {
  const { api, output } = connect(options);
  const task = await api.cancelTask(taskId);
  if (output.json) output.printJson(task);
  else output.line(`${task.task_id} ${task.status}; its credits are back`);
  return 0;
}

export const usageCommand = () =>
  withApiOptions(new Command("usage").description("credits spent and left, tasks by status"));

type Usage = {
  credits_spent?: number;
  credits_remaining?: number | null;
  tasks?: Record<string, number>;
};

/** `hailuo usage`: the tenant's credits and task counts. */
export async function usage(options: CommonOptions): Promise<number> {
  const { api, output } = connect(options);
  const data = (await api.usage()) as Usage;
  if (output.json) {
    output.printJson(data);
    return 0;
  }
  output.line(`credits spent      ${data.credits_spent ?? "?"}`);
  output.line(`credits remaining  ${data.credits_remaining ?? "no budget (counted only)"}`);
  for (const [name, count] of Object.entries(data.tasks ?? {}))
    output.line(`tasks ${name.padEnd(12)} ${count}`);
  return 0;
}
