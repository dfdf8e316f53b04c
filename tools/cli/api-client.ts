import { ApiError, ConnectionError } from "./errors.js";

/** The status data of `GET /api/v1/tasks/{task_id}` (docs/api.md); only what the CLI reads is typed. */
export type TaskStatus = {
  task_id: string;
  status: "IN_PROGRESS" | "completed" | "failed" | "canceled";
  phase: string;
  model?: string;
  prompt?: string;
  duration?: string;
  resolution?: string;
  credits?: number;
  created_at?: string;
  video_url?: string;
  content_url?: string;
  metadata?: Record<string, string>;
  error?: { code: string; message: string };
  [field: string]: unknown;
};

export type CreateTaskBody = {
  model: string;
  prompt: string;
  image: string;
  duration: string;
  resolution: string;
  metadata?: Record<string, string>;
};

export type Upload = {
  upload_id: string;
  image: string;
  upload_url: string;
  method: string;
  headers: Record<string, string>;
  max_bytes: number;
};

export type TaskPage = { tasks: TaskStatus[]; next_cursor: string | null };

export type ApiClient = ReturnType<typeof createApiClient>;

/** The gateway's public API over HTTP, with its Bearer key; every error body becomes an `ApiError`. */
export function createApiClient(options: { url: string; key: string; fetch?: typeof fetch }) {
  const base = options.url.replace(/\/+$/, "");
  const fetchFn = options.fetch ?? globalThis.fetch;

  async function call<T>(
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const url = `${base}/api/v1${path}`;
    let response: Response;
    try {
      response = await fetchFn(url, {
        method,
        headers: {
          authorization: `Bearer ${options.key}`,
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
          ...init.headers,
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
    } catch (error) {
      throw new ConnectionError(`cannot reach the API at ${base}: ${causeOf(error)}`, { cause: error });
    }
    const text = await response.text();
    const body = parseJson(text);
    if (!response.ok) throw apiErrorOf(response.status, body, text);
    return (body as { data: T }).data;
  }

  return {
    url: base,
    createUpload: (contentType: string, contentLength: number) =>
      call<Upload>("POST", "/uploads", {
        body: { content_type: contentType, content_length: contentLength },
      }),
    createTask: (body: CreateTaskBody, idempotencyKey?: string) =>
      call<{ task_id: string; status: string }>("POST", "/videos/generations", {
        body,
        ...(idempotencyKey ? { headers: { "idempotency-key": idempotencyKey } } : {}),
      }),
    getTask: (taskId: string) => call<TaskStatus>("GET", `/tasks/${encodeURIComponent(taskId)}`),
    listTasks: (query: { status?: string; limit?: number; cursor?: string }) => {
      const params = new URLSearchParams();
      if (query.status) params.set("status", query.status);
      if (query.limit !== undefined) params.set("limit", String(query.limit));
      if (query.cursor) params.set("cursor", query.cursor);
      const search = params.size > 0 ? `?${params}` : "";
      return call<TaskPage>("GET", `/tasks${search}`);
    },
    cancelTask: (taskId: string) => call<TaskStatus>("POST", `/tasks/${encodeURIComponent(taskId)}/cancel`),
    usage: () => call<Record<string, unknown>>("GET", "/usage"),
    /** A URL outside the API (a presigned upload or video URL), or the API's own content route. */
    fetchRaw: async (url: string, init: RequestInit = {}) => {
      const own = url.startsWith(`${base}/`);
      try {
        return await fetchFn(url, {
          ...init,
          headers: {
            ...(own ? { authorization: `Bearer ${options.key}` } : {}),
            ...(init.headers as object),
          },
        });
      } catch (error) {
        throw new ConnectionError(`cannot reach ${new URL(url).origin}: ${causeOf(error)}`, { cause: error });
      }
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function apiErrorOf(status: number, body: unknown, text: string): ApiError {
  const error = (body as { error?: { message?: unknown; type?: unknown } } | undefined)?.error;
  if (error && typeof error.message === "string") {
    return new ApiError(status, typeof error.type === "string" ? error.type : "unknown", error.message);
  }
  const excerpt = text.trim().slice(0, 200);
  return new ApiError(status, "unexpected_response", `HTTP ${status}${excerpt ? `: ${excerpt}` : ""}`);
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
