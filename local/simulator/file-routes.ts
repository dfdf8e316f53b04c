import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { Hono } from "hono";
import type { DownloadSigner } from "./download-signing.js";
import { SimulatorHttpError } from "./errors.js";
import { isTaskId, type TaskStore } from "./task-store.js";

/** Serves rendered videos behind presigned-style URLs, as the real service's CDN links do. */
export const createFileRoutes = ({ store, signer }: { store: TaskStore; signer: DownloadSigner }) =>
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
    const headers = { "Content-Type": "video/mp4", "Content-Length": String(file.size) };
    if (context.req.method === "HEAD") return context.body(null, 200, headers);
    const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
    return context.body(body, 200, headers);
  });
