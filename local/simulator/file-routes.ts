import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { Hono } from "hono";
import type { DownloadSigner } from "./download-signing.js";
import { SimulatorHttpError } from "./errors.js";
import { paddedVideo, parseRange } from "./padded-video.js";
import { isTaskId, type TaskStore } from "./task-store.js";

/**
 * Serves rendered videos behind presigned-style URLs, as the real service's CDN links do, with
 * byte ranges (a download broken off can resume). `videoBytes` pads them to that size.
 */
export const createFileRoutes = ({
  store,
  signer,
  videoBytes = 0,
}: {
  store: TaskStore;
  signer: DownloadSigner;
  videoBytes?: number;
}) =>
  new Hono().get("/:fileName", async (context) => {
    const fileName = context.req.param("fileName");
    const taskId = fileName.endsWith(".mp4") ? fileName.slice(0, -".mp4".length) : "";
    if (!isTaskId(taskId)) throw new SimulatorHttpError(404, "File not found");
    const verdict = signer.verify(taskId, context.req.query("expires"), context.req.query("sig"), Date.now());
    if (verdict === "expired") throw new SimulatorHttpError(403, "The download URL has expired");
    if (verdict === "invalid") throw new SimulatorHttpError(403, "The download URL signature is invalid");
    const path = store.videoPath(taskId);
    const file = await stat(path).catch(() => undefined);
    if (!file) throw new SimulatorHttpError(404, "File not found");
    const video = paddedVideo(path, file.size, videoBytes);
    const range = parseRange(context.req.header("range"), video.size);
    const start = range?.start ?? 0;
    const end = range?.end ?? video.size - 1;
    const headers: Record<string, string> = {
      "Content-Type": "video/mp4",
      "Content-Length": String(end - start + 1),
      "Accept-Ranges": "bytes",
      ...(range ? { "Content-Range": `bytes ${start}-${end}/${video.size}` } : {}),
    };
    const status = range ? 206 : 200;
    if (context.req.method === "HEAD") return context.body(null, status, headers);
    const body = Readable.toWeb(video.open(start, end)) as ReadableStream<Uint8Array>;
    return context.body(body, status, headers);
  });
