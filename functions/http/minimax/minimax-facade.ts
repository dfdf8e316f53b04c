import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import {
  defaultMinimaxModelMap,
  type MinimaxModelMap,
  subModelOf,
} from "../../adapters/upstream/minimax-models.js";
import { createRequestSchema, describeIssue } from "../../core/create-request.js";
import type { Deps } from "../../core/deps.js";
import { InvalidRequestError, PayloadTooLargeError } from "../../core/errors.js";
import { videoKey } from "../../core/output-keys.js";
import type { TaskView } from "../../core/task/task-view.js";
import { getTaskView } from "../../core/use-cases/get-task.js";
import { submitTask } from "../../core/use-cases/submit-task.js";
import { type AuthenticatedEnv, authenticate } from "../authenticate.js";
import { rateLimit } from "../rate-limit.js";
import { MinimaxFacadeRefusal, okResp, toMinimaxError } from "./facade-errors.js";
import { fileIdOfTask, taskIdOfFile } from "./file-ids.js";

export type MinimaxFacadeOptions = { maxBodyBytes: number; minimaxModels?: MinimaxModelMap };

/** MiniMax's body; its fields are renamed into ours and judged by our one create schema. */
const minimaxBody = z.object({
  model: z.string({ error: "model is required" }),
  prompt: z.string({ error: "prompt must be a string" }).optional(),
  first_frame_image: z.string({ error: "first_frame_image is required" }),
  duration: z.unknown().optional(),
  resolution: z.unknown().optional(),
  prompt_optimizer: z.unknown().optional(),
  callback_url: z.unknown().optional(),
});

/**
 * MiniMax's video API served by the gateway over our tenants, keys, credits and tasks: a MiniMax
 * client changes its base URL and nothing else. The same submitTask as our own API; answers in
 * MiniMax's shapes, refusals as `base_resp` codes with HTTP 200.
 */
export function minimaxFacadeRoutes(deps: Deps, options: MinimaxFacadeOptions) {
  const models = options.minimaxModels ?? defaultMinimaxModelMap;
  const served = [...new Set(Object.values(models))];
  const schema = createRequestSchema({ allowPrivateUrls: deps.settings.allowPrivateUrls });
  const routes = new Hono<AuthenticatedEnv>();
  routes.onError((error, context) =>
    toMinimaxError(error, context, (defect) => deps.logger.error("unhandled error", { error: defect })),
  );
  routes.use(
    bodyLimit({
      maxSize: options.maxBodyBytes,
      onError: () => {
        throw new PayloadTooLargeError(
          `the request body is over ${Math.floor(options.maxBodyBytes / 1048576)} MB`,
        );
      },
    }),
  );
  routes.use(authenticate(deps.tenants), rateLimit(deps));

  routes.post("/video_generation", async (context) => {
    const raw: unknown = await context.req.json().catch(() => undefined);
    const body = minimaxBody.safeParse(raw);
    if (!body.success) throw new InvalidRequestError(describeIssue(body.error).message);
    const model = subModelOf(models, body.data.model);
    if (!model) {
      throw new MinimaxFacadeRefusal(
        2013,
        `invalid params, model ${body.data.model} is not served here; use ${served.join(" or ")}`,
      );
    }
    const { first_frame_image, ...rest } = body.data;
    const ours = schema.safeParse({ ...rest, model, image: first_frame_image });
    if (!ours.success) throw new InvalidRequestError(inMinimaxWords(describeIssue(ours.error).message));
    const { task } = await submitTask(deps, {
      tenant: context.get("tenant"),
      request: ours.data,
      source: { kind: "api" },
    });
    return context.json({ task_id: task.id, base_resp: okResp });
  });

  routes.get("/query/video_generation", async (context) => {
    const taskId = context.req.query("task_id") ?? "";
    const view = await getTaskView(deps, context.get("tenant"), taskId);
    const status = minimaxStatusOf(view);
    const fileId = status === "Success" ? (fileIdOfTask(view.task_id) ?? "") : "";
    return context.json({ task_id: view.task_id, status, file_id: fileId, base_resp: okResp });
  });

  routes.get("/files/retrieve", async (context) => {
    const fileId = context.req.query("file_id") ?? "";
    const taskId = taskIdOfFile(fileId);
    if (!taskId) throw new MinimaxFacadeRefusal(2013, "invalid params, file_id is not a file of ours");
    const view = await getTaskView(deps, context.get("tenant"), taskId);
    if (!view.video_url) throw new MinimaxFacadeRefusal(2013, "invalid params, the video is not ready");
    const head = await deps.media.head(videoKey(view.task_id));
    return context.json({
      file: {
        file_id: fileId,
        bytes: head?.size ?? 0,
        created_at: Math.floor(Date.parse(view.completed_at ?? view.updated_at) / 1000),
        filename: `${view.task_id}.mp4`,
        purpose: "video_generation",
        download_url: view.video_url,
      },
      base_resp: okResp,
    });
  });

  return routes;
}

/** Our phases in MiniMax's words: not yet upstream, waiting there, generating or copying, the end. */
function minimaxStatusOf(view: TaskView): "Preparing" | "Queueing" | "Processing" | "Success" | "Fail" {
  switch (view.phase) {
    case "queued":
      return "Preparing";
    case "submitted":
      return "Queueing";
    case "done":
      return view.video_url ? "Success" : "Processing";
    case "failed":
    case "canceled":
      return "Fail";
    default:
      return "Processing";
  }
}

/** Our schema names the image `image`; a MiniMax client knows it as first_frame_image. */
function inMinimaxWords(message: string): string {
  return message.replace(/^image\b/, "first_frame_image");
}
