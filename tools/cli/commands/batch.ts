import { access } from "node:fs/promises";
import { Presets, SingleBar } from "cli-progress";
import { Command } from "commander";
import pLimit from "p-limit";
import type { ApiClient, TaskStatus } from "../api-client.js";
import { type BatchItem, batchItems, batchKey, batchKeyField, batchTaskIndex } from "../batch-items.js";
import { type CommonOptions, connect, positiveInteger, withApiOptions } from "../common-options.js";
import { downloadVideo } from "../download.js";
import { ApiError } from "../errors.js";
import { imageValueFor, readImageFile } from "../image-file.js";
import { type Output, seconds } from "../output.js";
import { type VideoOptions, type VideoSettings, videoOptions, videoSettings } from "../video-settings.js";
import { waitForTask } from "../wait-for-task.js";

type BatchOptions = CommonOptions & VideoOptions & { output?: string; concurrency: number };
type Outcome = {
  file: string;
  status: "done" | "skipped" | "failed";
  task_id?: string;
  output?: string;
  error?: string;
};

export function batchCommand(): Command {
  const command = new Command("batch")
    .description("a video for every JPEG, PNG and WebP in a folder; run it again to finish what is left")
    .argument("<folder>", "the folder of images");
  for (const option of videoOptions()) command.addOption(option);
  command
    .option("-o, --output <dir>", "where the MP4s go (default: beside each image)")
    .option("--concurrency <n>", "tasks in flight at once", positiveInteger("--concurrency", 32), 4);
  return withApiOptions(command);
}

/** `hailuo batch FOLDER -p PROMPT`: 0 when every image has its MP4, 1 when any failed. */
export async function batch(folder: string, options: BatchOptions): Promise<number> {
  const settings = videoSettings(options);
  const { api, output } = connect(options);
  const items = await batchItems(folder, options.output ?? folder);
  const index = batchTaskIndex(api);
  const view = batchView(output, items.length);
  const limit = pLimit(options.concurrency);
  const outcomes = await Promise.all(
    items.map((item) =>
      limit(async (): Promise<Outcome> => {
        const outcome = await runItem(api, item, settings, index, options.interval, view).catch(
          (error: unknown): Outcome => ({
            file: item.name,
            status: "failed",
            error:
              error instanceof ApiError
                ? `${error.message} (HTTP ${error.status} ${error.type})`
                : String((error as Error).message),
          }),
        );
        view.finished(outcome);
        return outcome;
      }),
    ),
  );
  view.stop();
  const count = (status: Outcome["status"]) => outcomes.filter((outcome) => outcome.status === status).length;
  const summary = { done: count("done"), skipped: count("skipped"), failed: count("failed") };
  if (output.json) output.printJson({ ...summary, items: outcomes });
  else output.line(`${summary.done} done, ${summary.skipped} already done, ${summary.failed} failed`);
  return summary.failed > 0 ? 1 : 0;
}

async function runItem(
  api: ApiClient,
  item: BatchItem,
  settings: VideoSettings,
  index: ReturnType<typeof batchTaskIndex>,
  intervalMs: number,
  view: ReturnType<typeof batchView>,
): Promise<Outcome> {
  if (await exists(item.target)) return { file: item.name, status: "skipped", output: item.target };
  const started = Date.now();
  const image = await readImageFile(item.path);
  const key = batchKey(image.bytes, settings);
  const taskId = await taskFor(api, key, settings, index, async () => imageValueFor(api, image), item.name);
  view.note(`${item.name}  task ${taskId}`);
  const task = await waitForTask(api, taskId, { intervalMs });
  if (task.status !== "completed") {
    return { file: item.name, status: "failed", task_id: taskId, error: failureOf(task) };
  }
  await downloadVideo(api, task, item.target);
  view.note(`${item.name}  done → ${item.target}  ${seconds(Date.now() - started)}`);
  return { file: item.name, status: "done", task_id: taskId, output: item.target };
}

/**
 * The task of this image and settings: the one an earlier run made (still going or completed), or a
 * new one. A task that failed or was canceled is tried again, under a key of its own.
 */
async function taskFor(
  api: ApiClient,
  key: string,
  settings: VideoSettings,
  index: ReturnType<typeof batchTaskIndex>,
  image: () => Promise<string>,
  name: string,
): Promise<string> {
  const earlier = await index.tasksOf(key);
  const usable = earlier.find((task) => task.status === "IN_PROGRESS" || task.status === "completed");
  if (usable) return usable.task_id;
  const idempotencyKey = earlier.length === 0 ? key : `${key}-${earlier.length}`;
  const body = { ...settings, image: await image(), metadata: { [batchKeyField]: key, source_file: name } };
  try {
    return (await api.createTask(body, idempotencyKey)).task_id;
  } catch (error) {
    // Another run made this task after our index was read (its image went up under another upload id).
    if (!(error instanceof ApiError && error.type === "idempotency_conflict")) throw error;
    index.refresh();
    const made = (await index.tasksOf(key)).find(
      (task) => task.status !== "failed" && task.status !== "canceled",
    );
    if (!made) throw error;
    return made.task_id;
  }
}

const failureOf = (task: TaskStatus) =>
  task.error ? `${task.status}: ${task.error.code}: ${task.error.message}` : task.status;

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** One bar for the whole batch on a terminal; otherwise a plain line per event. */
function batchView(output: Output, total: number) {
  const counts = { done: 0, skipped: 0, failed: 0 };
  const failures: string[] = [];
  const bar = output.interactive
    ? new SingleBar(
        {
          format:
            "batch {bar} {value}/{total} | {done} done, {skipped} skipped, {failed} failed | {duration_formatted}",
          stream: output.stream,
          hideCursor: true,
          barsize: 24,
        },
        Presets.shades_classic,
      )
    : undefined;
  bar?.start(total, 0, counts);
  return {
    note(text: string) {
      if (!bar && !output.json) output.line(text);
    },
    finished(outcome: Outcome) {
      counts[outcome.status]++;
      bar?.increment(1, counts);
      if (outcome.status === "failed") failures.push(`${outcome.file}  failed: ${outcome.error}`);
      if (bar || output.json) return;
      if (outcome.status === "skipped") output.line(`${outcome.file}  skipped: ${outcome.output} exists`);
      if (outcome.status === "failed") output.line(failures.at(-1) ?? "");
    },
    stop() {
      if (!bar) return;
      bar.stop();
      // Failures are kept from under the bar, and said once it is gone.
      for (const failure of failures) output.error(failure);
    },
  };
}
