import type { Readable } from "node:stream";
import type { Deps } from "../deps.js";
import { InternalError, UpstreamRetryableError } from "../errors.js";
import { videoKey } from "../output-keys.js";
import type { UploadedPart } from "../ports.js";
import { type Task, touchTask } from "../task/task.js";
import { completeTask } from "./complete-task.js";

/** A copy under way: the multipart upload, its parts so far, and the bytes they hold. */
export type CopyProgress = { uploadId: string; parts: UploadedPart[]; bytes: number };

/**
 * Streams the finished video into outputs/<id>.mp4 part by part, recording each part on the task,
 * so that a worker that dies mid-copy (a Lambda run that ends) leaves a copy the next lease resumes
 * from the recorded byte (a Range request), not from zero. Two parts' buffers are all it holds. A
 * video that ends within its first part (most do: a 6 s clip is a few MB) goes up in one PutObject,
 * with no multipart upload and no progress to record. The bucket's ObjectCreated event then drives
 * notify; a video already there completes directly.
 */
export async function copyVideo(deps: Deps, task: Task): Promise<Task> {
  const key = videoKey(task.id);
  if (await deps.media.exists(key)) return completeTask(deps, task.id);

  const videoUrl = await currentVideoUrl(deps, task);
  const resumedFrom = task.copy?.bytes ?? 0;
  if (resumedFrom > 0) deps.logger.info("resuming a video copy", { taskId: task.id, bytes: resumedFrom });
  const started = deps.clock.now();
  const stream = await deps.upstream.openVideo(videoUrl, { start: resumedFrom });
  const uploaded = await uploadParts(deps, task, stream);
  const multipart = uploaded.task.copy;
  if (multipart) await deps.media.completeMultipart(key, multipart.uploadId, multipart.parts);
  deps.logger.info("video copied", {
    taskId: task.id,
    key,
    bytes: uploaded.bytes,
    resumedFrom,
    parts: multipart?.parts.length ?? 1,
    ms: deps.clock.now() - started,
  });
  // Notify moves the task on within seconds of the object's event. Should the event be lost, the
  // lease this copy holds (its next poll) runs out and the next claim finds the video there and
  // completes the task: no write of the copy's own is needed, nor a race with notify's.
  return uploaded.task;
}

/** A failed or resumed download may hold an expired URL: the upstream is asked for a fresh one. */
async function currentVideoUrl(deps: Deps, task: Task): Promise<string> {
  const known = task.upstream?.videoUrl;
  if (known && task.attempts === 0 && !task.copy) return known;
  if (!task.upstream) throw new InternalError(`task ${task.id} has no upstream task`);
  const state = await deps.upstream.getTask(task.upstream.taskId);
  if (state.state !== "succeeded") {
    throw new UpstreamRetryableError(`upstream reports ${state.state} for a finished task`);
  }
  return state.videoUrl;
}

/** What uploadParts leaves: the task as saved (its `copy` the multipart upload to complete, if one was begun), the bytes stored. */
type Uploaded = { task: Task; bytes: number };

/**
 * Fills a part's buffer from the stream and hands it over, the last part possibly short. Two
 * buffers take turns: one part is sent and recorded while the next is read into the other buffer,
 * so at most two parts are held, and the stream waits (backpressure) while both are busy. Parts are
 * still sent and recorded one after the other, in order: a worker that dies leaves every part it
 * recorded valid, and the next one resumes after the last of them. The multipart upload begins
 * when the first part is full; a stream that ends before that is put whole.
 */
async function uploadParts(deps: Deps, task: Task, stream: Readable): Promise<Uploaded> {
  const partBytes = deps.settings.copyPartBytes;
  const buffers = [Buffer.allocUnsafe(partBytes), Buffer.allocUnsafe(partBytes)];
  let current = task;
  let inFlight: Promise<void> | undefined;
  let handedOver = 0;
  // Waits for the part in flight (its upload and its record), then sends this one without waiting.
  const handOver = async (body: Buffer): Promise<void> => {
    await inFlight;
    if (!current.copy) current = await beginMultipart(deps, current);
    const sending = sendPart(deps, current, body).then((saved) => {
      current = saved;
    });
    sending.catch(() => {}); // its failure is thrown where it is awaited: the next hand-over or the end
    inFlight = sending;
    handedOver += 1;
  };
  let buffer = buffers[0] as Buffer;
  let filled = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (let offset = 0; offset < chunk.length; ) {
        const take = Math.min(partBytes - filled, chunk.length - offset);
        chunk.copy(buffer, filled, offset, offset + take);
        filled += take;
        offset += take;
        if (filled === partBytes) {
          await handOver(buffer);
          buffer = buffers[handedOver % 2] as Buffer;
          filled = 0;
        }
      }
    }
    await inFlight;
    if (!current.copy) {
      await deps.media.putObject(videoKey(task.id), buffer.subarray(0, filled), "video/mp4");
      return { task: current, bytes: filled };
    }
    if (filled > 0) {
      await handOver(buffer.subarray(0, filled));
      await inFlight;
    }
  } catch (error) {
    // A broken download still lets the part in flight finish: its record is progress kept.
    await inFlight?.catch(() => {});
    throw error;
  }
  return { task: current, bytes: requireProgress(current).bytes };
}

/** The multipart upload, begun and recorded before its first part is sent. */
async function beginMultipart(deps: Deps, task: Task): Promise<Task> {
  const { uploadId } = await deps.media.startMultipart(videoKey(task.id), "video/mp4");
  return saveProgress(deps, task, { uploadId, parts: [], bytes: 0 });
}

async function sendPart(deps: Deps, task: Task, body: Uint8Array): Promise<Task> {
  const progress = requireProgress(task);
  const partNumber = progress.parts.length + 1;
  const { eTag } = await deps.media.uploadPart(videoKey(task.id), progress.uploadId, partNumber, body);
  return saveProgress(deps, task, {
    uploadId: progress.uploadId,
    parts: [...progress.parts, { partNumber, eTag }],
    bytes: progress.bytes + body.length,
  });
}

/** Each recorded part is progress: the lease is extended and the step's claim count cleared. */
async function saveProgress(deps: Deps, task: Task, copy: CopyProgress): Promise<Task> {
  const now = deps.clock.now();
  const leaseUntil = now + deps.settings.leaseMs;
  return deps.tasks.saveTask(
    touchTask(task, { copy, leaseUntil, nextPollAt: leaseUntil, stepClaims: undefined }, now),
  );
}

function requireProgress(task: Task): CopyProgress {
  if (!task.copy) throw new InternalError(`task ${task.id} has no copy under way`);
  return task.copy;
}
