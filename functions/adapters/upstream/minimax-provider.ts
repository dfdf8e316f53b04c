import { UpstreamPermanentError, UpstreamRetryableError } from "../../core/errors.js";
import type { UpstreamCreateRequest, UpstreamProvider, UpstreamTaskState } from "../../core/ports.js";
import { createGuardedDownload, type Download } from "../http/guarded-fetch.js";
import { classifyBaseResp, readBaseResp } from "./classify-base-resp.js";
import { classifyFailure, type RequestKind } from "./classify-response.js";
import type { MinimaxModelMap } from "./minimax-models.js";
import { openVideoStream } from "./open-video.js";
import { sendUpstreamRequest } from "./upstream-request.js";

export type MinimaxOptions = {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  models: MinimaxModelMap;
  /** The whole download of a finished video; `timeoutMs` bounds only the wait for its first byte. */
  downloadTimeoutMs?: number;
  /** A create's wait for its answer (see UPSTREAM_CREATE_TIMEOUT_MS); `timeoutMs` when unset. */
  createTimeoutMs?: number;
  fetch?: typeof fetch;
  /** Finished videos' URLs come from MiniMax's answers: the guarded fetch when deployed. */
  /** Video downloads (guarded and streamed, see guarded-fetch.ts); an unguarded one by default. */
  download?: Download;
};

type Answer = { body: Record<string, unknown>; traceId: string | undefined };

/**
 * MiniMax's own video API: `POST /v1/video_generation`, `GET /v1/query/video_generation`, then
 * `GET /v1/files/retrieve` for the download URL. Every answer is judged by its `base_resp`,
 * whatever the HTTP status; MiniMax's Trace-Id goes with the task and into every error.
 */
export function createMinimaxProvider(options: MinimaxOptions): UpstreamProvider {
  const fetchImpl = options.fetch ?? fetch;
  const download = options.download ?? createGuardedDownload({ policy: { allowPrivateUrls: true } });
  const baseUrl = options.baseUrl.replace(/\/+$/, "");

  async function call(path: string, init: RequestInit = {}, request: RequestKind = "read"): Promise<Answer> {
    const { response, text } = await sendUpstreamRequest(`${baseUrl}${path}`, init, request, {
      fetch: fetchImpl,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs,
      createTimeoutMs: options.createTimeoutMs,
    });
    const traceId = response.headers.get("trace-id") ?? undefined;
    const retryAfter = response.headers.get("retry-after");
    const body = parseJson(text);
    const baseResp = readBaseResp(body);
    const refusal = baseResp ? classifyBaseResp(baseResp, retryAfter) : undefined;
    if (refusal) throw withTrace(refusal, traceId);
    if (!response.ok) {
      throw withTrace(classifyFailure(response.status, body, retryAfter, request), traceId);
    }
    if (!baseResp || !body || typeof body !== "object") {
      throw withTrace(
        new UpstreamRetryableError(`MiniMax answered ${response.status} without a base_resp`),
        traceId,
      );
    }
    return { body: body as Record<string, unknown>, traceId };
  }

  async function downloadUrlOf(fileId: string): Promise<string> {
    const { body, traceId } = await call(`/v1/files/retrieve?file_id=${encodeURIComponent(fileId)}`);
    const url = (body.file as Record<string, unknown> | undefined)?.download_url;
    if (typeof url !== "string" || url === "") {
      throw withTrace(
        new UpstreamRetryableError(`MiniMax named no download_url for file ${fileId}`),
        traceId,
      );
    }
    return url;
  }

  return {
    name: "minimax",
    acceptsCallbacks: true,
    async createTask(request: UpstreamCreateRequest) {
      const create = (callbackUrl: string | undefined) =>
        call(
          "/v1/video_generation",
          {
            method: "POST",
            body: JSON.stringify({
              model: options.models[request.model],
              prompt: request.prompt,
              first_frame_image: request.imageUrl,
              duration: Number(request.duration),
              resolution: request.resolution,
              prompt_optimizer: request.promptOptimizer,
              ...(callbackUrl ? { callback_url: callbackUrl } : {}),
            }),
          },
          "create",
        );
      // MiniMax refuses the whole create when our callback does not answer its challenge; the task
      // must not fail for that: it goes without push, and polling finishes it.
      const { body, traceId } = await create(request.callbackUrl).catch((error: unknown) => {
        if (request.callbackUrl && isCallbackRefusal(error)) return create(undefined);
        throw error;
      });
      const taskId = body.task_id;
      if ((typeof taskId !== "string" && typeof taskId !== "number") || String(taskId) === "") {
        throw withTrace(
          new UpstreamRetryableError("MiniMax accepted the task but named no task_id"),
          traceId,
        );
      }
      return { taskId: String(taskId), ...(traceId ? { traceId } : {}) };
    },
    async getTask(taskId: string): Promise<UpstreamTaskState> {
      const { body } = await call(`/v1/query/video_generation?task_id=${encodeURIComponent(taskId)}`);
      const status = String(body.status ?? "").toLowerCase();
      if (status === "success") {
        const fileId = body.file_id;
        // A success without its file yet is read as still running: the next poll asks again.
        if ((typeof fileId !== "string" && typeof fileId !== "number") || String(fileId) === "") {
          return { state: "running" };
        }
        return { state: "succeeded", videoUrl: await downloadUrlOf(String(fileId)) };
      }
      if (status === "fail" || status === "failed") {
        return {
          state: "failed",
          code: "generation_failed",
          message: "MiniMax reports the generation failed",
        };
      }
      return { state: "running" };
    },
    openVideo: (videoUrl: string, { start = 0 }: { start?: number } = {}) =>
      openVideoStream(download, videoUrl, {
        headersMs: options.timeoutMs,
        downloadMs: options.downloadTimeoutMs ?? 10 * 60_000,
        start,
      }),
  };
}

function isCallbackRefusal(error: unknown): boolean {
  return error instanceof UpstreamPermanentError && /^MiniMax 2013: .*callback/i.test(error.message);
}

function withTrace(error: Error, traceId: string | undefined): Error {
  if (traceId) error.message = `${error.message} (Trace-Id ${traceId})`;
  return error;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
