import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Readable } from "node:stream";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import { createRequestSchema } from "../../functions/core/create-request.js";
import type { Deps } from "../../functions/core/deps.js";
import { videoKey } from "../../functions/core/output-keys.js";
import type { Task } from "../../functions/core/task/task.js";
import { submitTask } from "../../functions/core/use-cases/submit-task.js";
import { exampleImagePath } from "../../local/stack/local-app.js";
import { testS3Client } from "../support/aws-clients.js";
import { pollUntil } from "../support/run-poller-until.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

const mebibyte = 1024 * 1024;
/** 64 MiB in `npm test`; RESUMABLE_COPY_BYTES=2147483648 is the 2 GiB proof of docs/reliability.md. */
const videoBytes = Number(process.env.RESUMABLE_COPY_BYTES ?? 64 * mebibyte);
/** The waits grow with the video: a gigabyte takes minutes on a loaded machine. */
const sizeScale = Math.max(1, videoBytes / (64 * mebibyte));
const partBytes = 8 * mebibyte;
const partsBeforeDeath = 3;

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function sha256Of(stream: AsyncIterable<Uint8Array>): Promise<{ hash: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { hash: hash.digest("hex"), bytes };
}

/**
 * A worker that dies once it has recorded `partsBeforeDeath` parts: from then on nothing it does
 * reaches S3 or the table, as when Lambda ends a run mid-copy.
 */
function mortalWorker(deps: Deps) {
  let dead = false;
  const deathError = () => new Error("the worker was stopped");
  const worker: Deps = {
    ...deps,
    tasks: {
      ...deps.tasks,
      async saveTask(next, options) {
        if (dead) throw deathError();
        const saved = await deps.tasks.saveTask(next, options);
        if ((saved.copy?.parts.length ?? 0) >= partsBeforeDeath) dead = true;
        return saved;
      },
    },
    media: {
      ...deps.media,
      async uploadPart(...args) {
        if (dead) throw deathError();
        return deps.media.uploadPart(...args);
      },
    },
  };
  return { worker, isDead: () => dead };
}

/** The healthy worker notes where each download it opens starts. */
function watchedWorker(deps: Deps) {
  const starts: number[] = [];
  const worker: Deps = {
    ...deps,
    upstream: {
      ...deps.upstream,
      openVideo(url: string, options?: { start?: number }): Promise<Readable> {
        starts.push(options?.start ?? 0);
        return deps.upstream.openVideo(url, options);
      },
    },
  };
  return { worker, starts };
}

describe("a video copy whose worker dies mid-way", () => {
  it(
    "resumes from the recorded byte, not from zero, and stores the very bytes the upstream served",
    async () => {
      // Prepare: a 64 MiB video in 8 MiB parts; the lease is short so the next worker comes soon.
      const stack: TestStack = await startTestStack({
        simulator: { generationMs: 100, faults: { videoBytes } },
        env: { COPY_PART_BYTES: String(partBytes), LEASE_MS: "3000" },
      });
      closers.push(() => stack.close());
      const mortal = mortalWorker(stack.deps);
      const request = createRequestSchema({ allowPrivateUrls: true }).parse({
        prompt: "a slow push-in",
        image: `data:image/jpeg;base64,${(await readFile(exampleImagePath)).toString("base64")}`,
      });
      const { task } = await submitTask(mortal.worker, {
        tenant: stack.tenant,
        request,
        source: { kind: "api" },
      });

      // Act: the first worker copies three parts and dies; the next one takes over after the lease.
      await pollUntil(mortal.worker, task.id, mortal.isDead, 90_000 * sizeScale);
      const atDeath = (await stack.deps.tasks.getTask(task.id)) as Task;
      const healthy = watchedWorker(stack.deps);
      const resumedAt = Date.now();
      const ended = await pollUntil(
        healthy.worker,
        task.id,
        (current) => current.announced === true,
        90_000 * sizeScale,
      );
      const resumedMs = Date.now() - resumedAt;

      // Assess: one resumed download, from the recorded offset; the stored bytes are the served ones.
      expect(atDeath).toMatchObject({ phase: "copying", copy: { bytes: partsBeforeDeath * partBytes } });
      expect(atDeath.copy?.parts).toHaveLength(partsBeforeDeath);
      expect(healthy.starts).toEqual([partsBeforeDeath * partBytes]);
      expect(ended).toMatchObject({ phase: "done", output: { key: videoKey(task.id) } });
      expect(ended.copy).toBeUndefined();

      const upstreamState = await stack.deps.upstream.getTask(ended.upstream?.taskId ?? "");
      if (upstreamState.state !== "succeeded") throw new Error("the simulator lost the video");
      const served = await sha256Of(await stack.deps.upstream.openVideo(upstreamState.videoUrl));
      const object = await testS3Client().send(
        new GetObjectCommand({ Bucket: stack.bucket, Key: videoKey(task.id) }),
      );
      const stored = await sha256Of(object.Body as AsyncIterable<Uint8Array>);
      console.info(
        `resumable copy of ${videoBytes} bytes: ${atDeath.copy?.parts.length} parts kept at the kill, ` +
          `resumed at byte ${healthy.starts[0]}, the rest copied and announced in ${resumedMs} ms`,
      );
      expect(served.bytes).toBe(videoBytes);
      expect(stored).toEqual(served);
    },
    240_000 * sizeScale,
  );
});

describe("a video shorter than one part", () => {
  it("goes up in one PutObject: no multipart upload, no copy progress recorded, the same bytes", async () => {
    // Prepare: the simulator's own small video (a few hundred KB) against 8 MiB parts; every S3
    // write and every copy progress the worker records is noted on the way to the real servers.
    const stack: TestStack = await startTestStack({ simulator: { generationMs: 100 } });
    closers.push(() => stack.close());
    const writes: string[] = [];
    const progressSaved: number[] = [];
    const worker: Deps = {
      ...stack.deps,
      tasks: {
        ...stack.deps.tasks,
        async saveTask(next, options) {
          if (next.copy) progressSaved.push(next.copy.bytes);
          return stack.deps.tasks.saveTask(next, options);
        },
      },
      media: {
        ...stack.deps.media,
        async putObject(key, body, contentType) {
          writes.push(`put ${key}`);
          return stack.deps.media.putObject(key, body, contentType);
        },
        async startMultipart(key, contentType) {
          writes.push(`multipart ${key}`);
          return stack.deps.media.startMultipart(key, contentType);
        },
      },
    };
    const request = createRequestSchema({ allowPrivateUrls: true }).parse({
      prompt: "a slow push-in",
      image: `data:image/jpeg;base64,${(await readFile(exampleImagePath)).toString("base64")}`,
    });
    const { task } = await submitTask(worker, { tenant: stack.tenant, request, source: { kind: "api" } });

    // Act
    const ended = await pollUntil(worker, task.id, (current) => current.announced === true, 90_000);

    // Assess
    expect(ended).toMatchObject({ phase: "done", output: { key: videoKey(task.id) } });
    expect(writes.filter((write) => write.includes(videoKey(task.id)))).toEqual([`put ${videoKey(task.id)}`]);
    expect(progressSaved).toEqual([]);
    const upstreamState = await stack.deps.upstream.getTask(ended.upstream?.taskId ?? "");
    if (upstreamState.state !== "succeeded") throw new Error("the simulator lost the video");
    const served = await sha256Of(await stack.deps.upstream.openVideo(upstreamState.videoUrl));
    const object = await testS3Client().send(
      new GetObjectCommand({ Bucket: stack.bucket, Key: videoKey(task.id) }),
    );
    expect(served.bytes).toBeLessThan(stack.deps.settings.copyPartBytes);
    expect(await sha256Of(object.Body as AsyncIterable<Uint8Array>)).toEqual(served);
  }, 120_000);
});
