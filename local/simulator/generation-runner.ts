import { createHash } from "node:crypto";
import { copyFile, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pLimit from "p-limit";
import { type ImageInfo, readImageInfo } from "../../functions/core/image/image-info.js";
import { outputDimensions, renderZoomPanVideo } from "../media/render-video.js";
import { GenerationFailedError } from "./errors.js";
import { fetchImage } from "./image-source.js";
import type { ResolvedSimulatorOptions } from "./simulator-options.js";
import { type SimulatorTask, shortSideOf, taskStatuses } from "./simulator-task.js";
import type { TaskStore } from "./task-store.js";

export const failureReasons = [
  { code: "content_moderation", message: "The image was flagged by content moderation" },
  { code: "generation_failed", message: "The generation failed, please retry" },
] as const;

const callbackTimeoutMs = 10_000;

export type GenerationRunner = ReturnType<typeof createGenerationRunner>;

/**
 * Background generations: fetch and check the image, render, then end the task no earlier than
 * `generationMs` after its creation. Closing aborts ffmpeg and leaves unfinished tasks IN_PROGRESS on
 * disk, so a simulator restarted on the same data folder resumes them.
 */
export const createGenerationRunner = (store: TaskStore, options: ResolvedSimulatorOptions) => {
  const renderSlots = pLimit(options.renderConcurrency);
  const shutdown = new AbortController();
  const running = new Map<string, Promise<void>>();
  const { signal } = shutdown;
  const finishedListeners = new Set<(task: SimulatorTask) => void>();
  /** With `reuseRenders`: the first video rendered for an image, resolution and duration. */
  const firstRenders = new Map<string, Promise<string>>();

  const sleepUntil = async (timeMs: number): Promise<void> => {
    const remaining = timeMs - Date.now();
    if (remaining > 0) await sleep(remaining, undefined, { signal });
  };

  const obtainImage = async (task: SimulatorTask): Promise<Buffer> => {
    const inputPath = store.inputPath(task.taskId);
    if (task.imageUrl === null) {
      return readFile(inputPath).catch((error: unknown) => {
        throw new GenerationFailedError("image_unreachable", "The inline image is missing", { cause: error });
      });
    }
    const bytes = await fetchImage(task.imageUrl, { fetch: options.fetch, signal });
    await writeFile(inputPath, bytes);
    return bytes;
  };

  const renderOnce = async (task: SimulatorTask, image: ImageInfo, partialPath: string): Promise<void> => {
    await renderZoomPanVideo({
      imagePath: store.inputPath(task.taskId),
      outputPath: partialPath,
      durationSeconds: task.durationSeconds,
      shortSide: shortSideOf(task.resolution),
      imageSize: image,
      signal,
    });
  };

  /** Renders, or with `reuseRenders` copies the first video made of the same image and settings. */
  const renderOrReuse = async (task: SimulatorTask, image: ImageInfo, bytes: Buffer, partialPath: string) => {
    if (!options.reuseRenders) return renderOnce(task, image, partialPath);
    const key = `${createHash("sha256").update(bytes).digest("hex")}/${task.resolution}/${task.durationSeconds}`;
    const first = firstRenders.get(key);
    if (first) return copyFile(await first, partialPath);
    const shared = join(options.dataDir, `reused-${key.replaceAll("/", "-")}.mp4`);
    const rendering = renderOnce(task, image, partialPath).then(async () => {
      await copyFile(partialPath, shared);
      return shared;
    });
    firstRenders.set(key, rendering);
    await rendering.catch((error: unknown) => {
      firstRenders.delete(key);
      throw error;
    });
  };

  const render = async (
    task: SimulatorTask,
    image: ImageInfo,
    bytes: Buffer,
  ): Promise<NonNullable<SimulatorTask["video"]>> => {
    const videoPath = store.videoPath(task.taskId);
    const shortSide = shortSideOf(task.resolution);
    const existing = await stat(videoPath).catch(() => undefined);
    if (!existing) {
      const partialPath = `${videoPath.slice(0, -".mp4".length)}.partial.mp4`;
      const startedAt = Date.now();
      try {
        await renderOrReuse(task, image, bytes, partialPath);
      } catch (error) {
        await rm(partialPath, { force: true });
        if (signal.aborted) throw error;
        throw new GenerationFailedError("generation_failed", "The generation failed, please retry", {
          cause: error,
        });
      }
      await rename(partialPath, videoPath);
      options.logger(
        `rendered ${task.taskId} (${shortSide}p, ${task.durationSeconds} s) in ${Date.now() - startedAt} ms`,
      );
    }
    const { size } = await stat(videoPath);
    return { ...outputDimensions(image.width, image.height, shortSide), bytes: size };
  };

  const notify = async (task: SimulatorTask): Promise<void> => {
    if (!task.callbackUrl) return;
    try {
      const response = await options.fetch(task.callbackUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ task_id: task.taskId, status: task.status }),
        signal: AbortSignal.timeout(callbackTimeoutMs),
      });
      await response.body?.cancel();
      options.logger(`callback for ${task.taskId} answered ${response.status}`);
    } catch (error) {
      options.logger(`callback for ${task.taskId} failed: ${(error as Error).message}`);
    }
  };

  const finish = async (task: SimulatorTask, update: Partial<SimulatorTask>): Promise<void> => {
    const finished: SimulatorTask = { ...task, ...update, updatedAt: new Date().toISOString() };
    await store.save(finished);
    options.logger(
      `task ${task.taskId} ${finished.status}${finished.error ? ` (${finished.error.code})` : ""}`,
    );
    await notify(finished);
    for (const listener of finishedListeners) listener(finished);
  };

  const generate = async (task: SimulatorTask): Promise<void> => {
    const deadline = Date.parse(task.createdAt) + options.generationMs;
    try {
      const bytes = await obtainImage(task);
      const image = readImageInfo(bytes);
      if (!image) {
        throw new GenerationFailedError("invalid_image", "The image is not a JPEG, PNG or WebP file");
      }
      if (options.random() < options.failureRate) {
        const reason =
          failureReasons[Math.floor(options.random() * failureReasons.length)] ?? failureReasons[1];
        await sleepUntil(deadline);
        throw new GenerationFailedError(reason.code, reason.message);
      }
      const video = await renderSlots(() => render(task, image, bytes));
      await sleepUntil(deadline);
      await finish(task, { status: taskStatuses.completed, video, error: null });
    } catch (error) {
      if (signal.aborted) return;
      const failure =
        error instanceof GenerationFailedError
          ? error
          : new GenerationFailedError("generation_failed", "The generation failed, please retry", {
              cause: error,
            });
      // The public message stays generic; the log keeps what really went wrong.
      if (failure.cause) options.logger(`task ${task.taskId}: ${String(failure.cause)}`);
      await finish(task, {
        status: taskStatuses.failed,
        error: { code: failure.code, message: failure.message },
      }).catch((saveError: unknown) => options.logger(`task ${task.taskId}: ${String(saveError)}`));
    }
  };

  const start = (task: SimulatorTask): void => {
    if (signal.aborted || running.has(task.taskId)) return;
    const job = generate(task).finally(() => running.delete(task.taskId));
    running.set(task.taskId, job);
  };

  const resumeUnfinished = async (): Promise<number> => {
    const unfinished = await store.listUnfinished();
    for (const task of unfinished) start(task);
    return unfinished.length;
  };

  const close = async (): Promise<void> => {
    shutdown.abort();
    await Promise.allSettled(running.values());
  };

  const onFinished = (listener: (task: SimulatorTask) => void): void => {
    finishedListeners.add(listener);
  };

  return { start, resumeUnfinished, close, onFinished };
};
