// One measured copy in a process of its own, so that its peak RSS is the copy's alone. Run by
// bench/copy.ts with BENCH_COPY_JOB (JSON); prints one JSON line: bytes, ms, peak and idle RSS
// (and getrusage's maxRSS, which Linux inherits from the forking parent, to show why it is not used).
import { createReadStream, readFileSync } from "node:fs";
import { stat } from "node:fs/promises";
import { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Agent, request } from "undici";
import { buildDeps } from "../functions/config/build-deps.js";
import { parseSettings } from "../functions/config/settings.js";
import { videoKey } from "../functions/core/output-keys.js";
import { copyVideo } from "../functions/core/use-cases/copy-video.js";

type Job =
  | { kind: "copy"; environment: Record<string, string>; taskId: string }
  | {
      kind: "download";
      environment: Record<string, string>;
      taskId: string;
      via: "adapter" | "undici.request";
      limitBytes: number;
    }
  | { kind: "parts"; environment: Record<string, string>; bytes: number }
  | { kind: "upload"; s3Endpoint: string; bucket: string; key: string; file: string };

const job = JSON.parse(process.env.BENCH_COPY_JOB ?? "{}") as Job;
const megabytes = (kilobytes: number) => kilobytes / 1024;
let bytes = 0;
let run: () => Promise<void>;

if (job.kind === "copy") {
  const deps = buildDeps(parseSettings(job.environment), { serviceName: "bench" });
  const task = await deps.tasks.getTask(job.taskId);
  if (!task) throw new Error(`no task ${job.taskId}`);
  run = async () => {
    await copyVideo(deps, task);
    bytes = (await deps.media.head(videoKey(task.id)))?.size ?? 0;
  };
} else if (job.kind === "parts") {
  // Diagnosis: the copy's uploads alone, the same 8 MiB part buffer sent again and again.
  const deps = buildDeps(parseSettings(job.environment), { serviceName: "bench" });
  run = async () => {
    const key = "bench/parts-only.bin";
    const { uploadId } = await deps.media.startMultipart(key, "video/mp4");
    const part = Buffer.alloc(deps.settings.copyPartBytes, 7);
    const parts = [];
    for (let sent = 0; sent < job.bytes; sent += part.length) {
      const body = part.subarray(0, Math.min(part.length, job.bytes - sent));
      const { eTag } = await deps.media.uploadPart(key, uploadId, parts.length + 1, body);
      parts.push({ partNumber: parts.length + 1, eTag });
      bytes += body.length;
    }
    await deps.media.completeMultipart(key, uploadId, parts);
  };
} else if (job.kind === "download") {
  // Diagnosis: the copy's download alone, read at about the pace the copy uploads (8 MiB per 300 ms).
  const deps = buildDeps(parseSettings(job.environment), { serviceName: "bench" });
  const task = await deps.tasks.getTask(job.taskId);
  run = async () => {
    const videoUrl = task?.upstream?.videoUrl ?? "";
    const stream =
      job.via === "adapter"
        ? await deps.upstream.openVideo(videoUrl)
        : (await request(videoUrl, { dispatcher: new Agent() })).body;
    let sincePause = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes >= job.limitBytes) {
        stream.destroy();
        break;
      }
      sincePause += chunk.length;
      if (sincePause >= 8 * 1024 * 1024) {
        sincePause = 0;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
  };
} else {
  const client = new S3Client({
    endpoint: job.s3Endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  bytes = (await stat(job.file)).size;
  run = async () => {
    await new Upload({
      client,
      params: {
        Bucket: job.bucket,
        Key: job.key,
        Body: createReadStream(job.file),
        ContentType: "video/mp4",
      },
    }).done();
  };
}

/**
 * The process's own peak RSS: VmHWM, the high-water mark of its address space since exec. Not
 * getrusage's maxRSS, which Linux carries over from the forking parent (the benchmark, whose RSS
 * grows as its simulator serves the video): that one reads the parent's size, not the child's.
 */
function peakRssMb(): number {
  const status = readFileSync("/proc/self/status", "utf8");
  const kilobytes = status.match(/^VmHWM:\s+(\d+) kB/m)?.[1];
  return megabytes(kilobytes === undefined ? process.resourceUsage().maxRSS : Number(kilobytes));
}

const idleRssMb = process.memoryUsage().rss / 1024 ** 2;
const startedAt = performance.now();
await run();
const ms = performance.now() - startedAt;
process.stdout.write(
  `${JSON.stringify({ bytes, ms, peakRssMb: peakRssMb(), idleRssMb, rusageMaxRssMb: megabytes(process.resourceUsage().maxRSS) })}\n`,
);
process.exit(0);
