import { createHash } from "node:crypto";
import { Hono } from "hono";
import { z } from "zod";
import { createRequestSchema } from "../../core/create-request.js";
import type { Deps } from "../../core/deps.js";
import { InvalidRequestError } from "../../core/errors.js";
import { publicStatuses } from "../../core/task/phases.js";
import { getTaskView } from "../../core/use-cases/get-task.js";
import { listTaskViews } from "../../core/use-cases/list-tasks.js";
import { submitTask } from "../../core/use-cases/submit-task.js";
import type { AuthenticatedEnv } from "../authenticate.js";
import { parseOrThrow } from "../parse-or-throw.js";

export type TasksRouteOptions = { idempotencyTtlSeconds: number };

const maxIdempotencyKeyLength = 255;

export function tasksRoutes(deps: Deps, options: TasksRouteOptions) {
  const schema = createRequestSchema({ allowPrivateUrls: deps.settings.allowPrivateUrls });
  const routes = new Hono<AuthenticatedEnv>();

  routes.post("/videos/generations", async (context) => {
    const raw = await context.req.text();
    const request = parseOrThrow(schema, parseJsonObject(raw));
    const tenant = context.get("tenant");
    const key = context.req.header("idempotency-key");
    if (key !== undefined && (key.length === 0 || key.length > maxIdempotencyKeyLength)) {
      throw new InvalidRequestError("Idempotency-Key must be 1 to 255 characters", "Idempotency-Key");
    }
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
    return context.json({ code: 200, message: "success", data: { task_id: task.id, status: "IN_PROGRESS" } });
  });

  routes.get("/tasks", async (context) => {
    const query = parseOrThrow(listQuerySchema, context.req.query());
    const list = await listTaskViews(deps, context.get("tenant"), query);
    return context.json({
      code: 200,
      message: "success",
      data: { tasks: list.tasks, next_cursor: list.nextCursor },
    });
  });

  routes.get("/tasks/:taskId", async (context) => {
    const view = await getTaskView(deps, context.get("tenant"), context.req.param("taskId"));
    return context.json({ code: 200, message: "success", data: view });
  });

  return routes;
}

const statusNames = new Map(publicStatuses.map((status) => [status.toLowerCase(), status]));

const limitRule = "limit must be a number from 1 to 100";

const listQuerySchema = z.object({
  status: z
    .string()
    .transform((value) => statusNames.get(value.toLowerCase()))
    .pipe(z.enum(publicStatuses, { error: `status must be one of ${publicStatuses.join(", ")}` }))
    .optional(),
  limit: z.coerce
    .number({ error: limitRule })
    .int({ error: limitRule })
    .min(1, { error: limitRule })
    .max(100, { error: limitRule })
    .default(20),
  cursor: z.string().min(1).max(2048, { error: "cursor is not one this API gave out" }).optional(),
});

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
