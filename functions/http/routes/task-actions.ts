import { createRoute, z } from "@hono/zod-openapi";
import type { Deps } from "../../core/deps.js";
import { cancelTask } from "../../core/use-cases/cancel-task.js";
import { presignedVideoUrl } from "../../core/use-cases/get-task.js";
import { redeliverLast, taskDeliveries } from "../../core/use-cases/webhook-deliveries.js";
import { bearerSecurity, newRouter } from "../open-api.js";
import { requestOrigin } from "../request-origin.js";
import { deliveryBody, deliverySchema } from "../schemas/delivery.js";
import { errorResponses } from "../schemas/error-body.js";
import { success, taskIdParams, taskViewSchema } from "../schemas/task-view.js";

const routes = {
  cancel: createRoute({
    method: "post",
    path: "/tasks/{task_id}/cancel",
    tags: ["tasks"],
    summary: "Cancel a task that has not finished; its credits come back",
    security: bearerSecurity,
    request: { params: taskIdParams },
    responses: {
      200: {
        description: "the task, now canceled (or canceled before)",
        content: { "application/json": { schema: success(taskViewSchema) } },
      },
      ...errorResponses(404, 409),
    },
  }),
  content: createRoute({
    method: "get",
    path: "/tasks/{task_id}/content",
    tags: ["tasks"],
    summary: "Redirect to a fresh presigned URL of the task's video",
    security: bearerSecurity,
    request: { params: taskIdParams },
    responses: {
      302: {
        description: "Location is a presigned URL of the MP4, valid for VIDEO_URL_TTL_SECONDS",
        headers: z.object({ Location: z.string() }),
      },
      ...errorResponses(404),
    },
  }),
  deliveries: createRoute({
    method: "get",
    path: "/tasks/{task_id}/deliveries",
    tags: ["webhooks"],
    summary: "Every webhook message of the task and each attempt at it",
    security: bearerSecurity,
    request: { params: taskIdParams },
    responses: {
      200: {
        description: "the task's webhook messages, oldest first",
        content: {
          "application/json": { schema: success(z.object({ deliveries: z.array(deliverySchema) })) },
        },
      },
      ...errorResponses(404),
    },
  }),
  redeliver: createRoute({
    method: "post",
    path: "/tasks/{task_id}/deliveries/redeliver",
    tags: ["webhooks"],
    summary: "Send the task's last webhook event again, now (fresh body, same webhook-id)",
    security: bearerSecurity,
    request: { params: taskIdParams },
    responses: {
      202: {
        description: "the delivery with this attempt recorded",
        content: { "application/json": { schema: success(deliverySchema) } },
      },
      ...errorResponses(404, 409),
    },
  }),
};

/** What can be done to one task beyond reading it: cancel, fetch its video, its webhooks. */
export function taskActionRoutes(deps: Deps) {
  const router = newRouter();

  router.openapi(routes.cancel, async (context) => {
    const { task_id } = context.req.valid("param");
    const view = await cancelTask(deps, context.get("tenant"), task_id, requestOrigin(deps, context));
    return context.json({ code: 200, message: "success", data: view }, 200);
  });

  router.openapi(routes.content, async (context) => {
    const url = await presignedVideoUrl(deps, context.get("tenant"), context.req.valid("param").task_id);
    context.header("Cache-Control", "no-store");
    return context.redirect(url, 302);
  });

  router.openapi(routes.deliveries, async (context) => {
    const deliveries = await taskDeliveries(deps, context.get("tenant"), context.req.valid("param").task_id);
    return context.json(
      { code: 200, message: "success", data: { deliveries: deliveries.map(deliveryBody) } },
      200,
    );
  });

  router.openapi(routes.redeliver, async (context) => {
    const delivery = await redeliverLast(deps, context.get("tenant"), context.req.valid("param").task_id);
    return context.json({ code: 202, message: "success", data: deliveryBody(delivery) }, 202);
  });

  return router;
}
