import { createHash } from "node:crypto";
import { createRoute, z } from "@hono/zod-openapi";
import { createRequestSchema } from "../../core/create-request.js";
import type { Deps } from "../../core/deps.js";
import { InvalidRequestError } from "../../core/errors.js";
import { publicStatuses } from "../../core/task/phases.js";
import { getTaskView } from "../../core/use-cases/get-task.js";
import { listTaskViews } from "../../core/use-cases/list-tasks.js";
import { submitTask } from "../../core/use-cases/submit-task.js";
import { bearerSecurity, newRouter } from "../open-api.js";
import { parseOrThrow } from "../parse-or-throw.js";
import { requestOrigin } from "../request-origin.js";
import { createBodyDescription, createdTaskSchema, createHeadersSchema } from "../schemas/create-request.js";
import { errorResponses } from "../schemas/error-body.js";
import { success, taskIdParams, taskViewSchema } from "../schemas/task-view.js";

export type TasksRouteOptions = { idempotencyTtlSeconds: number };

const statusNames = new Map(publicStatuses.map((status) => [status.toLowerCase(), status]));
const limitRule = "limit must be a number from 1 to 100";

const listQuerySchema = z.object({
  status: z
    .string()
    .transform((value) => statusNames.get(value.toLowerCase()))
    .pipe(z.enum(publicStatuses, { error: `status must be one of ${publicStatuses.join(", ")}` }))
    .optional()
    .openapi({ description: `one of ${publicStatuses.join(", ")}, any case` }),
  limit: z.coerce
    .number({ error: limitRule })
    .int({ error: limitRule })
    .min(1, { error: limitRule })
    .max(100, { error: limitRule })
    .default(20),
  cursor: z
    .string()
    .min(1)
    .max(2048, { error: "cursor is not one this API gave out" })
    .optional()
    .openapi({ description: "the next_cursor of the page before" }),
});

function routesFor() {
  return {
    create: createRoute({
      method: "post",
      path: "/videos/generations",
      tags: ["tasks"],
      summary: "Create an image-to-video task",
      security: bearerSecurity,
      request: {
        headers: createHeadersSchema,
        body: {
          required: true,
          content: {
            "application/json": {
              schema: { $ref: "#/components/schemas/CreateVideoRequest" },
            },
          },
        },
      },
      responses: {
        200: {
          description: "the task is durably recorded",
          content: { "application/json": { schema: success(createdTaskSchema) } },
        },
        ...errorResponses(400, 402, 409, 413),
      },
    }),
    list: createRoute({
      method: "get",
      path: "/tasks",
      tags: ["tasks"],
      summary: "The tenant's tasks, newest first, cursor-paginated",
      security: bearerSecurity,
      request: { query: listQuerySchema },
      responses: {
        200: {
          description: "a page of tasks",
          content: {
            "application/json": {
              schema: success(
                z.object({ tasks: z.array(taskViewSchema), next_cursor: z.string().nullable() }),
              ),
            },
          },
        },
        ...errorResponses(400),
      },
    }),
    get: createRoute({
      method: "get",
      path: "/tasks/{task_id}",
      tags: ["tasks"],
      summary: "A task's status",
      security: bearerSecurity,
      request: { params: taskIdParams },
      responses: {
        200: {
          description: "the task's status data",
          content: { "application/json": { schema: success(taskViewSchema) } },
        },
        ...errorResponses(404),
      },
    }),
  };
}

export function tasksRoutes(deps: Deps, options: TasksRouteOptions) {
  const routes = routesFor();
  const router = newRouter();

  // The body is read by the handler, with the route's own schema: any content type is taken (curl -d
  // sends a form type), bad JSON gets our 400, and the raw text is what an Idempotency-Key hashes.
  const bodySchema = createRequestSchema({ allowPrivateUrls: deps.settings.allowPrivateUrls });
  router.openAPIRegistry.registerComponent("schemas", "CreateVideoRequest", createBodyDescription());
  router.openAPIRegistry.registerPath(routes.create);
  const { body: _documented, ...createRequestParts } = routes.create.request;
  router.openapi({ ...routes.create, request: createRequestParts, hide: true }, async (context) => {
    const raw = await context.req.text();
    const request = parseOrThrow(bodySchema, parseJsonObject(raw));
    const tenant = context.get("tenant");
    const key = context.req.valid("header")["idempotency-key"];
    const { task } = await submitTask(deps, {
      tenant,
      request,
      source: { kind: "api" },
      ...(key
        ? {
            idempotency: {
              scope: `${tenant.id}#${key}`,
              requestHash: createHash("sha256").update(raw).digest("hex"),
              expiresAt: deps.clock.now() + options.idempotencyTtlSeconds * 1000,
            },
          }
        : {}),
    });
    return context.json(
      { code: 200, message: "success", data: { task_id: task.id, status: "IN_PROGRESS" as const } },
      200,
    );
  });

  router.openapi(routes.list, async (context) => {
    const list = await listTaskViews(
      deps,
      context.get("tenant"),
      context.req.valid("query"),
      requestOrigin(deps, context),
    );
    return context.json(
      { code: 200, message: "success", data: { tasks: list.tasks, next_cursor: list.nextCursor } },
      200,
    );
  });

  router.openapi(routes.get, async (context) => {
    const view = await getTaskView(
      deps,
      context.get("tenant"),
      context.req.valid("param").task_id,
      requestOrigin(deps, context),
    );
    return context.json({ code: 200, message: "success", data: view }, 200);
  });

  return router;
}

function parseJsonObject(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new InvalidRequestError("the request body must be valid JSON");
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidRequestError("the request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}
