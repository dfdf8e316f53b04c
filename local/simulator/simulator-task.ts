import { z } from "zod";

export const taskStatuses = { inProgress: "IN_PROGRESS", completed: "completed", failed: "failed" } as const;

export const simulatorTaskSchema = z.object({
  taskId: z.string(),
  status: z.enum([taskStatuses.inProgress, taskStatuses.completed, taskStatuses.failed]),
  model: z.string(),
  prompt: z.string(),
  /** The http(s) URL to fetch, or null when the image came inline and already sits in the inputs folder. */
  imageUrl: z.string().nullable(),
  durationSeconds: z.union([z.literal(6), z.literal(10)]),
  resolution: z.enum(["768P", "1080P"]),
  promptOptimizer: z.boolean(),
  callbackUrl: z.string().nullable(),
  /** A MiniMax-API task's callback_url, pushed in MiniMax's shape (the seed API's callbackUrl stays null). */
  minimaxCallbackUrl: z.string().nullable().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  video: z.object({ width: z.number(), height: z.number(), bytes: z.number() }).nullable(),
});

export type SimulatorTask = z.infer<typeof simulatorTaskSchema>;

export const shortSideOf = (resolution: SimulatorTask["resolution"]): number =>
  resolution === "1080P" ? 1080 : 768;
