import { randomBytes } from "node:crypto";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { acceptSimulatorTask } from "../accept-task.js";
import type { DownloadSigner } from "../download-signing.js";
import type { GenerationRunner } from "../generation-runner.js";
import type { RateWindow } from "../rate-window.js";
import type { ResolvedSimulatorOptions } from "../simulator-options.js";
import { type SimulatorTask, taskStatuses } from "../simulator-task.js";
import type { TaskStore } from "../task-store.js";
import { baseResp, MinimaxRefusal, minimaxCodes, ok, requestedCode } from "./base-resp.js";
import { parseMinimaxCreate } from "./create-body.js";
import { minimaxTaskIdOf, newMinimaxTaskId, recordIdOf, recordIdOfFile } from "./ids.js";
import { checkCallbackUrl } from "./push.js";
import { createStatusPusher } from "./status-pusher.js";
import { failureBaseResp, minimaxStatusOf, queryFields } from "./task-status.js";

export type MinimaxRouteDependencies = {
  store: TaskStore;
  runner: GenerationRunner;
  signer: DownloadSigner;
  rate: RateWindow;
  options: ResolvedSimulatorOptions;
};

// A 20 MB image as a base64 data URL, plus the rest of the body.
const maxBodyBytes = 28 * 1024 * 1024;

/** Every MiniMax answer names a trace id, which support asks for. */
const traceIds: MiddlewareHandler = async (context, next) => {
  await next();
  context.header("Trace-Id", randomBytes(16).toString("hex"));
};

const requireKey =
  (apiKey: string | undefined): MiddlewareHandler =>
  async (context, next) => {
    const match = /^Bearer\s+(\S.*)$/i.exec(context.req.header("authorization") ?? "");
    const key = match?.[1]?.trim();
    if (!key) throw new MinimaxRefusal(minimaxCodes.notAuthorized, "login fail: no API key in Authorization");
    if (apiKey !== undefined && key !== apiKey) throw new MinimaxRefusal(2049, "invalid api key");
    await next();
  };

/** A share of calls meet one of MiniMax's passing failures, answered with HTTP 200 as MiniMax does. */
const injectErrors =
  (options: Pick<ResolvedSimulatorOptions, "errorRate" | "random">): MiddlewareHandler =>
  async (_context, next) => {
    if (options.errorRate > 0 && options.random() < options.errorRate) {
      const pick = options.random();
      if (pick < 1 / 3) throw new MinimaxRefusal(minimaxCodes.rateLimit, "rate limit exceeded(RPM)");
      if (pick < 2 / 3) throw new MinimaxRefusal(minimaxCodes.unknown, "unknown error");
      throw new MinimaxRefusal(minimaxCodes.internal, "internal error");
    }
    await next();
  };

const readJson = async (request: Request): Promise<unknown> => {
  try {
    return await request.json();
  } catch {
    throw new MinimaxRefusal(minimaxCodes.invalidParameters, "invalid params: the body must be JSON");
  }
};

/** MiniMax's three video endpoints over the simulator's task records and renderer. */
export const createMinimaxRoutes = ({ store, runner, signer, rate, options }: MinimaxRouteDependencies) => {
  const pusher = createStatusPusher({ store, runner, options });
  const app = new Hono();
  app.use(
    traceIds,
    requireKey(options.apiKey),
    injectErrors(options),
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new MinimaxRefusal(minimaxCodes.invalidParameters, "invalid params, the body is too large");
      },
    }),
  );
  app.onError((error, context) => {
    if (error instanceof MinimaxRefusal) return context.json(baseResp(error.statusCode, error.message));
    options.logger(`internal error on ${context.req.method} ${context.req.path}: ${error.stack ?? error}`);
    return context.json(baseResp(minimaxCodes.internal, "internal error"), 500);
  });

  app.post("/video_generation", async (context) => {
    const parsed = parseMinimaxCreate(await readJson(context.req.raw));
    if (!parsed.ok)
      throw new MinimaxRefusal(minimaxCodes.invalidParameters, `invalid params, ${parsed.message}`);
    const request = parsed.body;
    const forced = requestedCode(request.prompt);
    if (forced !== undefined) throw new MinimaxRefusal(forced, `simulated base_resp ${forced}`);
    const admitted = rate.take(Date.now());
    if (!admitted.ok) throw new MinimaxRefusal(minimaxCodes.rateLimit, "rate limit exceeded(RPM)");
    if (request.callback_url && !(await checkCallbackUrl(request.callback_url, options.fetch))) {
      throw new MinimaxRefusal(minimaxCodes.invalidParameters, "fail to check callback url");
    }

    const minimaxTaskId = newMinimaxTaskId();
    const taskId = `sim_${minimaxTaskId}`;
    const task = await acceptSimulatorTask(
      store,
      taskId,
      {
        model: request.model,
        prompt: request.prompt,
        image: request.first_frame_image,
        durationSeconds: request.duration,
        resolution: request.resolution,
        promptOptimizer: request.prompt_optimizer,
        // The seed API's callback stays off: MiniMax pushes have their own shape (see status-pusher).
        callbackUrl: null,
        minimaxCallbackUrl: request.callback_url ?? null,
      },
      (message) => new MinimaxRefusal(minimaxCodes.invalidParameters, `invalid params, ${message}`),
    );
    runner.start(task);
    pusher.follow(task);
    options.logger(`minimax task ${minimaxTaskId} created (${task.model}, ${task.durationSeconds} s)`);
    return context.json({ task_id: minimaxTaskId, base_resp: ok });
  });

  app.get("/query/video_generation", async (context) => {
    const task = await loadTask(store, recordIdOf(context.req.query("task_id") ?? ""));
    const status = minimaxStatusOf(task, options.generationMs, Date.now());
    const resp = status === "Fail" ? failureBaseResp(task) : ok;
    return context.json({ ...queryFields(task, status), base_resp: resp });
  });

  app.get("/files/retrieve", async (context) => {
    const fileId = context.req.query("file_id") ?? "";
    const task = await loadTask(store, recordIdOfFile(fileId));
    if (task.status !== taskStatuses.completed || !task.video) {
      throw new MinimaxRefusal(minimaxCodes.invalidParameters, "invalid params, file not found");
    }
    const nowMs = Date.now();
    const origin = new URL(context.req.url).origin;
    return context.json({
      file: {
        file_id: Number(fileId),
        bytes: task.video.bytes,
        created_at: Math.floor(Date.parse(task.updatedAt) / 1000),
        filename: `${minimaxTaskIdOf(task.taskId)}.mp4`,
        purpose: "video_generation",
        download_url: signer.url(origin, task.taskId, nowMs + options.downloadTtlMs),
      },
      base_resp: ok,
    });
  });

  return { app, close: pusher.close };
};

const loadTask = async (store: TaskStore, recordId: string | undefined): Promise<SimulatorTask> => {
  const task = recordId ? await store.load(recordId) : undefined;
  if (!task) throw new MinimaxRefusal(minimaxCodes.invalidParameters, "invalid params, task not found");
  return task;
};
