import { writeFile } from "node:fs/promises";
import { isDataUrl } from "./create-request-schema.js";
import { GenerationFailedError } from "./errors.js";
import { decodeDataUrl } from "./image-source.js";
import { type SimulatorTask, taskStatuses } from "./simulator-task.js";
import type { TaskStore } from "./task-store.js";

export type AcceptedRequest = Pick<
  SimulatorTask,
  "model" | "prompt" | "durationSeconds" | "resolution" | "promptOptimizer" | "callbackUrl"
> & { image: string; minimaxCallbackUrl?: string | null };

/**
 * A new task of either API, saved in progress: an inline image is written to the inputs folder at
 * once (a bad one answers `refuse(message)`, the API's own refusal), an image URL is fetched later.
 */
export async function acceptSimulatorTask(
  store: TaskStore,
  taskId: string,
  request: AcceptedRequest,
  refuse: (message: string) => Error,
): Promise<SimulatorTask> {
  const { image, minimaxCallbackUrl, ...fields } = request;
  const inline = isDataUrl(image);
  if (inline) {
    try {
      await writeFile(store.inputPath(taskId), decodeDataUrl(image));
    } catch (error) {
      if (error instanceof GenerationFailedError) throw refuse(error.message);
      throw error;
    }
  }
  const now = new Date().toISOString();
  const task: SimulatorTask = {
    taskId,
    status: taskStatuses.inProgress,
    ...fields,
    imageUrl: inline ? null : image,
    ...(minimaxCallbackUrl === undefined ? {} : { minimaxCallbackUrl }),
    createdAt: now,
    updatedAt: now,
    error: null,
    video: null,
  };
  await store.save(task);
  return task;
}
