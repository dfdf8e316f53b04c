import { stat } from "node:fs/promises";
import { basename, extname, resolve } from "node:path";
import { Command } from "commander";
import { type CommonOptions, connect, withApiOptions } from "../common-options.js";
import { downloadVideo } from "../download.js";
import { imageValueFor, readImageFile } from "../image-file.js";
import { describeTask } from "../output.js";
import { taskProgress } from "../task-progress.js";
import { type VideoOptions, videoOptions, videoSettings } from "../video-settings.js";
import { waitForTask } from "../wait-for-task.js";

type GenerateOptions = CommonOptions & VideoOptions & { output?: string };

export function generateCommand(): Command {
  const command = new Command("generate")
    .description("turn an image into a video: upload, create the task, follow it, download the MP4")
    .argument("<image>", "a JPEG, PNG or WebP file");
  for (const option of videoOptions()) command.addOption(option);
  command.option("-o, --output <file>", "where to save the MP4 (default: <image name>.mp4 here)");
  return withApiOptions(command);
}

/** `hailuo generate IMAGE -p PROMPT`: 0 when the MP4 is saved, 1 when the task or the API fails. */
export async function generate(imagePath: string, options: GenerateOptions): Promise<number> {
  const settings = videoSettings(options);
  const { api, output } = connect(options);
  const target = options.output ?? `${basename(imagePath, extname(imagePath))}.mp4`;
  const image = await readImageFile(imagePath);

  const created = await api.createTask({ ...settings, image: await imageValueFor(api, image) });
  const progress = taskProgress(output, basename(imagePath));
  const interrupt = () => {
    progress.stop();
    output.error(`\nstopped waiting; the task goes on: hailuo status ${created.task_id}`);
    process.exit(130);
  };
  process.once("SIGINT", interrupt);
  const task = await waitForTask(api, created.task_id, {
    intervalMs: options.interval,
    onUpdate: (status) => progress.update(status),
  }).finally(() => {
    progress.stop();
    process.off("SIGINT", interrupt);
  });

  if (task.status !== "completed") {
    if (output.json) output.printJson(task);
    else for (const line of describeTask(task)) output.error(line);
    output.error(`hailuo: task ${task.task_id} ${task.status}${task.error ? `: ${task.error.message}` : ""}`);
    return 1;
  }
  await downloadVideo(api, task, target);
  const file = resolve(target);
  const { size } = await stat(file);
  if (output.json) output.printJson({ ...task, file, bytes: size });
  else
    output.line(
      `saved ${target} (${(size / 1024 / 1024).toFixed(1)} MB, task ${task.task_id}, ${task.credits} credits)`,
    );
  return 0;
}
