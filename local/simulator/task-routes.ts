import { randomBytes } from "node:crypto";
import { Hono } from "hono";
import { acceptSimulatorTask } from "./accept-task.js";
import { createRequestSchema, describeIssue } from "./create-request-schema.js";
import type { DownloadSigner } from "./download-signing.js";
import { SimulatorHttpError } from "./errors.js";
import type { GenerationRunner } from "./generation-runner.js";
import type { ResolvedSimulatorOptions } from "./simulator-options.js";
import { success, taskResponseData } from "./task-response.js";
import type { TaskStore } from "./task-store.js";

export type TaskRouteDependencies = {
  store: TaskStore;
  runner: GenerationRunner;
  signer: DownloadSigner;
  options: ResolvedSimulatorOptions;
};

const newTaskId = (): string => `sim_${randomBytes(12).toString("hex")}`;

const readJson = async (request: Request): Promise<unknown> => {
  try {
    return await request.json();
  } catch {
    throw new SimulatorHttpError(400, "The body must be valid JSON");
  }
};

export const createTaskRoutes = ({ store, runner, signer, options }: TaskRouteDependencies) =>
  new Hono()
    .post("/videos/generations", async (context) => {
      const parsed = createRequestSchema.safeParse(await readJson(context.req.raw));
      if (!parsed.success) throw new SimulatorHttpError(400, describeIssue(parsed.error));
      const request = parsed.data;
      const taskId = newTaskId();
      const task = await acceptSimulatorTask(
        store,
        taskId,
        {
          model: request.model,
          prompt: request.prompt,
          image: request.image,
          durationSeconds: request.duration,
          resolution: request.resolution,
          promptOptimizer: request.prompt_optimizer,
          callbackUrl: request.callback_url ?? null,
        },
        (message) => new SimulatorHttpError(400, message),
      );
      runner.start(task);
      options.logger(`task ${taskId} created (${task.model}, ${task.durationSeconds} s, ${task.resolution})`);
      return context.json(success({ task_id: taskId, status: task.status }));
    })
    .get("/tasks/:taskId", async (context) => {
      const taskId = context.req.param("taskId");
      const task = await store.load(taskId);
      if (!task) throw new SimulatorHttpError(404, `Task ${taskId} not found`);
      const origin = new URL(context.req.url).origin;
      const nowMs = Date.now();
      return context.json(
        success(
          taskResponseData(task, {
            generationMs: options.generationMs,
            nowMs,
            videoUrl: (id) => signer.url(origin, id, nowMs + options.downloadTtlMs),
          }),
        ),
      );
    });
