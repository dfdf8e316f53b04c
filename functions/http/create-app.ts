import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { Deps } from "../core/deps.js";
import { NotFoundError, PayloadTooLargeError } from "../core/errors.js";
import type { AuthenticatedEnv } from "./authenticate.js";
import { authenticate } from "./authenticate.js";
import { consoleRoutes } from "./console/console-routes.js";
import { toErrorResponse } from "./http-errors.js";
import { type MinimaxFacadeOptions, minimaxFacadeRoutes } from "./minimax/minimax-facade.js";
import { throwInvalidRequest } from "./open-api.js";
import { rateLimit } from "./rate-limit.js";
import { accountRoutes } from "./routes/account.js";
import { callbacksRoutes } from "./routes/callbacks.js";
import { describeApi } from "./routes/open-api-document.js";
import { taskActionRoutes } from "./routes/task-actions.js";
import { tasksRoutes } from "./routes/tasks.js";

export type AppOptions = {
  maxBodyBytes: number;
  idempotencyTtlSeconds: number;
  minimaxModels?: MinimaxFacadeOptions["minimaxModels"];
};

/** The gateway's HTTP API, as a Hono app over injected dependencies (the same on Lambda and locally). */
export function createApp(deps: Deps, options: AppOptions) {
  const app = new OpenAPIHono({ defaultHook: throwInvalidRequest });
  app.onError((error, context) =>
    toErrorResponse(error, context, (defect) => deps.logger.error("unhandled error", { error: defect })),
  );
  app.notFound((context) => {
    throw new NotFoundError(`no route ${context.req.method} ${context.req.path}`);
  });

  app.get("/health", (context) => context.json({ status: "ok" }));
  app.route("/console", consoleRoutes());

  // Before the keyed api: a provider's push carries the task's own secret, not a tenant's key.
  app.route("/api/v1/callbacks", callbacksRoutes(deps));

  const api = new OpenAPIHono<AuthenticatedEnv>({ defaultHook: throwInvalidRequest });
  api.use(
    bodyLimit({
      maxSize: options.maxBodyBytes,
      onError: () => {
        throw new PayloadTooLargeError(
          `the request body is over ${Math.floor(options.maxBodyBytes / 1024 / 1024)} MB`,
        );
      },
    }),
  );
  api.use(authenticate(deps.tenants), rateLimit(deps));
  api.route("/", tasksRoutes(deps, options));
  api.route("/", taskActionRoutes(deps));
  api.route("/", accountRoutes(deps));
  app.route("/api/v1", api);
  // MiniMax's own API shape, for clients written against it (keys, credits and tasks are ours).
  app.route("/v1", minimaxFacadeRoutes(deps, options));

  describeApi(app);
  return app;
}
