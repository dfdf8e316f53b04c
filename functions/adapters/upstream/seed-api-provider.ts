import { UpstreamAmbiguousError, UpstreamRetryableError } from "../../core/errors.js";
import type { UpstreamCreateRequest, UpstreamProvider, UpstreamTaskState } from "../../core/ports.js";
import { createGuardedDownload, type Download } from "../http/guarded-fetch.js";
import { classifyFailure, type RequestKind, stableFailure, upstreamMessage } from "./classify-response.js";
import { openVideoStream } from "./open-video.js";
import { sendUpstreamRequest } from "./upstream-request.js";

export type SeedApiOptions = {
  /** Provider name recorded on tasks: "apiinone", or "simulator" for the local one. */
  name: string;
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  /** A create's whole wait; longer than `timeoutMs`, since giving up on a create may pay for it twice. */
  createTimeoutMs?: number;
  /** The whole download of a finished video; `timeoutMs` bounds only the wait for its first byte. */
  downloadTimeoutMs?: number;
  /** The provider's own API: its base URL is the operator's, so it is trusted as configured. */
  fetch?: typeof fetch;
  /**
   * Finished videos: their URLs come from the provider's answers, so they go through the guarded
   * fetch (functions/adapters/http/guarded-fetch.ts) when deployed. Defaults to `fetch`.
   */
  /** Video downloads (guarded and streamed, see guarded-fetch.ts); an unguarded one by default. */
  download?: Download;
};

/**
 * The public Hailuo 2.3 API (`POST /api/v1/videos/generations`, `GET /api/v1/tasks/{id}`), spoken by
 * API in One and by our local simulator. Tolerant of the status shape, which the public pages do not pin.
 */
export function createSeedApiProvider(options: SeedApiOptions): UpstreamProvider {
  const fetchImpl = options.fetch ?? fetch;
  const download = options.download ?? createGuardedDownload({ policy: { allowPrivateUrls: true } });
  const baseUrl = options.baseUrl.replace(/\/+$/, "");

  async function call(
    path: string,
    init: RequestInit = {},
    request: RequestKind = "read",
  ): Promise<Record<string, unknown>> {
    const { response, text } = await sendUpstreamRequest(`${baseUrl}${path}`, init, request, {
      fetch: fetchImpl,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs,
      createTimeoutMs: options.createTimeoutMs,
    });
    const body = parseJson(text);
    const retryAfter = response.headers.get("retry-after");
    if (!response.ok) throw classifyFailure(response.status, body, retryAfter, request);
    if (!body || typeof body !== "object") {
      const problem = `upstream answered ${response.status} with a body that is not JSON`;
      throw request === "create" ? new UpstreamAmbiguousError(problem) : new UpstreamRetryableError(problem);
    }
    // The seed API may also carry errors in a 200 body: { code: 4xx, message }.
    const code = (body as { code?: unknown }).code;
    if (typeof code === "number" && code >= 400) {
      throw classifyFailure(code, body, retryAfter, request);
    }
    return body as Record<string, unknown>;
  }

  return {
    name: options.name,
    async createTask(request: UpstreamCreateRequest) {
      const body = await call(
        "/api/v1/videos/generations",
        {
          method: "POST",
          body: JSON.stringify({
            model: request.model,
            prompt: request.prompt,
            image: request.imageUrl,
            duration: request.duration,
            resolution: request.resolution,
            prompt_optimizer: request.promptOptimizer,
          }),
        },
        "create",
      );
      const data = (body.data ?? body) as Record<string, unknown>;
      const taskId = data.task_id ?? data.id;
      if (typeof taskId !== "string" && typeof taskId !== "number") {
        throw new UpstreamAmbiguousError("upstream accepted the task but named no task_id");
      }
      return { taskId: String(taskId) };
    },
    async getTask(taskId: string): Promise<UpstreamTaskState> {
      const body = await call(`/api/v1/tasks/${encodeURIComponent(taskId)}`);
      return readTaskState((body.data ?? body) as Record<string, unknown>);
    },
    openVideo: (videoUrl: string, { start = 0 }: { start?: number } = {}) =>
      openVideoStream(download, videoUrl, {
        headersMs: options.timeoutMs,
        downloadMs: options.downloadTimeoutMs ?? 10 * 60_000,
        start,
      }),
  };
}

const succeeded = new Set(["completed", "succeeded", "success", "succeed", "finished", "done"]);
const failed = new Set(["failed", "failure", "error", "canceled", "cancelled", "expired"]);

/** Reads the many spellings of task status that seed-API providers use. */
export function readTaskState(data: Record<string, unknown>): UpstreamTaskState {
  const status = String(data.status ?? data.state ?? "").toLowerCase();
  if (succeeded.has(status)) {
    const videoUrl = findVideoUrl(data);
    if (!videoUrl) return { state: "running" };
    return { state: "succeeded", videoUrl };
  }
  if (failed.has(status)) {
    const error = (data.error ?? {}) as Record<string, unknown>;
    const message =
      typeof error.message === "string"
        ? error.message
        : (upstreamMessage(data) ?? "the upstream generation failed");
    return { state: "failed", ...stableFailure(error.code, message) };
  }
  const progress = typeof data.progress === "number" ? data.progress : undefined;
  return progress === undefined ? { state: "running" } : { state: "running", progress };
}

function findVideoUrl(data: Record<string, unknown>): string | undefined {
  const candidates = [
    data.video_url,
    (data.output as Record<string, unknown> | undefined)?.video_url,
    (data.result as Record<string, unknown> | undefined)?.video_url,
    ((data.output as Record<string, unknown> | undefined)?.videos as unknown[] | undefined)?.[0],
  ];
  return candidates.find(
    (candidate): candidate is string => typeof candidate === "string" && candidate.length > 0,
  );
}

/** Drops the first `count` bytes of a stream, in constant memory. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
