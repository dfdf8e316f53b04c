import { createRoute, z } from "@hono/zod-openapi";
import type { Deps } from "../../core/deps.js";
import { imageRules } from "../../core/image/image-rules.js";
import { startUpload, uploadContentTypes, uploadUrlTtlSeconds } from "../../core/use-cases/uploads.js";
import { usageOf } from "../../core/use-cases/usage.js";
import { bearerSecurity, newRouter } from "../open-api.js";
import { errorResponses } from "../schemas/error-body.js";
import { success } from "../schemas/task-view.js";

const countSchema = z.number().int().min(0);
const lengthRule = `content_length must be a whole number of bytes from 1 to ${imageRules.maxBytes}`;

const uploadRequestSchema = z.object({
  content_type: z
    .string({ error: `content_type must be one of ${uploadContentTypes.join(", ")}` })
    .transform((value) => value.toLowerCase().trim())
    .pipe(z.enum(uploadContentTypes, { error: `content_type must be one of ${uploadContentTypes.join(", ")}` })),
  content_length: z.coerce
    .number({ error: lengthRule })
    .int({ error: lengthRule })
    .min(1, { error: lengthRule })
    .max(imageRules.maxBytes, { error: lengthRule })
    .nullish()
    .transform((value) => value ?? undefined)
    .openapi({ description: "the image's size; when given, the URL accepts only that many bytes" }),
});

const routes = {
  usage: createRoute({
    method: "get",
    path: "/usage",
    tags: ["account"],
    summary: "Credits spent and left, and the tenant's tasks by status",
    security: bearerSecurity,
    responses: {
      200: {
        description: "exact: kept by the same writes that move tasks",
        content: {
          "application/json": {
            schema: success(
              z.object({
                credits_spent: z.number().int(),
                credits_remaining: z.number().int().nullable().openapi({ description: "null: no budget" }),
                tasks: z.object({
                  in_progress: countSchema,
                  completed: countSchema,
                  failed: countSchema,
                  canceled: countSchema,
                }),
              }),
            ),
          },
        },
      },
      ...errorResponses(),
    },
  }),
  upload: createRoute({
    method: "post",
    path: "/uploads",
    tags: ["uploads"],
    summary: "A presigned PUT URL for an image too large for a request body",
    security: bearerSecurity,
    request: {
      body: { required: true, content: { "application/json": { schema: uploadRequestSchema } } },
    },
    responses: {
      201: {
        description: `PUT the bytes to upload_url with these headers within ${uploadUrlTtlSeconds / 60} min, then create a task with this image`,
        content: {
          "application/json": {
            schema: success(
              z.object({
                upload_id: z.string(),
                image: z.string().openapi({ description: "the `image` value of a create", example: "upload:01jd…" }),
                upload_url: z.string(),
                method: z.literal("PUT"),
                headers: z.record(z.string(), z.string()),
                max_bytes: z.number().int(),
                expires_at: z.string(),
              }),
            ),
          },
        },
      },
      ...errorResponses(400),
    },
  }),
};

/** The tenant's own account: what it has used, and a way in for large images. */
export function accountRoutes(deps: Deps) {
  const router = newRouter();

  router.openapi(routes.usage, async (context) => {
    const usage = await usageOf(deps, context.get("tenant"));
    return context.json(
      {
        code: 200,
        message: "success",
        data: {
          credits_spent: usage.creditsSpent,
          credits_remaining: usage.creditsRemaining,
          tasks: {
            in_progress: usage.tasks.inProgress,
            completed: usage.tasks.completed,
            failed: usage.tasks.failed,
            canceled: usage.tasks.canceled,
          },
        },
      },
      200,
    );
  });

  router.openapi(routes.upload, async (context) => {
    const body = context.req.valid("json");
    const ticket = await startUpload(deps, context.get("tenant"), {
      contentType: body.content_type,
      ...(body.content_length === undefined ? {} : { contentLength: body.content_length }),
    });
    const headers: Record<string, string> = { "content-type": ticket.contentType };
    if (body.content_length !== undefined) headers["content-length"] = String(body.content_length);
    return context.json(
      {
        code: 201,
        message: "success",
        data: {
          upload_id: ticket.uploadId,
          image: ticket.image,
          upload_url: ticket.url,
          method: "PUT" as const,
          headers,
          max_bytes: ticket.maxBytes,
          expires_at: ticket.expiresAt,
        },
      },
      201,
    );
  });

  return router;
}
