import { z } from "@hono/zod-openapi";
import { failureCodes } from "../../core/task/failure-codes.js";
import { allPhases, publicStatuses } from "../../core/task/phases.js";

/** The status data of a task: `GET /api/v1/tasks/{task_id}`, the listing, webhooks, outputs/<id>.json. */
export const taskViewSchema = z
  .object({
    task_id: z.string(),
    status: z.enum(publicStatuses).openapi({ description: "IN_PROGRESS until the end, as the public API" }),
    phase: z.enum(allPhases).openapi({ description: "finer than status, and ours" }),
    model: z.string(),
    prompt: z.string(),
    duration: z.string().openapi({ example: "6" }),
    resolution: z.string().openapi({ example: "768P" }),
    credits: z.number().int(),
    source: z.enum(["api", "inbox"]),
    source_key: z.string().optional().openapi({ description: "the inbox/ key of a drop-folder task" }),
    created_at: z.string(),
    updated_at: z.string(),
    completed_at: z.string().optional(),
    video_url: z.string().optional().openapi({ description: "short-lived presigned URL of our copy" }),
    video_expires_at: z.string().optional(),
    content_url: z
      .string()
      .optional()
      .openapi({ description: "GET /api/v1/tasks/{task_id}/content: a stable link that redirects to a fresh video_url" }),
    output: z.object({ video_url: z.string() }).optional(),
    error: z.object({ code: z.enum(failureCodes), message: z.string() }).optional(),
    metadata: z.record(z.string(), z.string()),
  })
  .openapi("TaskStatus");

/** The public API's success envelope around `data`. */
export function success<Data extends z.ZodType>(data: Data) {
  return z.object({
    code: z.number().int().openapi({ example: 200 }),
    message: z.string().openapi({ example: "success" }),
    data,
  });
}

export const taskIdParams = z.object({
  task_id: z
    .string()
    .openapi({ param: { name: "task_id", in: "path" }, example: "01jd7x0a9m3k5q8r2t4v6w8y0z" }),
});
