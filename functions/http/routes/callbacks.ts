import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Deps } from "../../core/deps.js";
import { InvalidRequestError, PayloadTooLargeError } from "../../core/errors.js";
import { acceptPush, findPushedTask } from "../../core/use-cases/accept-push.js";

const maxPushBytes = 64 * 1024;

/**
 * `POST /api/v1/callbacks/minimax/{token}`: MiniMax's challenge check and status pushes. Not behind
 * the bearer keys: the token in the path is the task's own secret. MiniMax waits 3 s for the
 * challenge's echo, so it is answered after one read.
 */
export function callbacksRoutes(deps: Deps) {
  const routes = new Hono();
  routes.use(
    bodyLimit({
      maxSize: maxPushBytes,
      onError: () => {
        throw new PayloadTooLargeError("a push body is at most 64 KB");
      },
    }),
  );
  routes.post("/minimax/:token", async (context) => {
    const body = await readObject(context.req.raw);
    const task = await findPushedTask(deps, context.req.param("token"));
    if (typeof body.challenge === "string") return context.json({ challenge: body.challenge });
    await acceptPush(deps, task, body.status);
    return context.json({ status: "success" });
  });
  return routes;
}

async function readObject(request: Request): Promise<Record<string, unknown>> {
  const value: unknown = await request.json().catch(() => undefined);
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidRequestError("the push body must be a JSON object");
  }
  return value as Record<string, unknown>;
}
