import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ApiClient, TaskStatus } from "./api-client.js";
import { CliError } from "./errors.js";

/**
 * Saves a finished task's MP4 to `path`: from its presigned `video_url`, else through the API's
 * `content_url`. Written beside the target first and renamed, so a file at `path` is always whole.
 */
export async function downloadVideo(api: ApiClient, task: TaskStatus, path: string): Promise<number> {
  const url = task.video_url ?? task.content_url;
  if (!url) throw new CliError(`task ${task.task_id} is ${task.status} but has no video URL`);
  const response = await api.fetchRaw(url);
  if (!response.ok || !response.body) {
    throw new CliError(`the video of task ${task.task_id} answered HTTP ${response.status}`);
  }
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.part`;
  try {
    await pipeline(
      Readable.fromWeb(response.body as import("node:stream/web").ReadableStream),
      createWriteStream(partial),
    );
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw new CliError(`could not save the video to ${path}: ${(error as Error).message}`, { cause: error });
  }
  return Number(response.headers.get("content-length") ?? 0);
}
