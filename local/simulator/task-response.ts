import { type SimulatorTask, taskStatuses } from "./simulator-task.js";

export type TaskResponseData = {
  task_id: string;
  status: SimulatorTask["status"];
  progress: number;
  model: string;
  created_at: string;
  updated_at: string;
  video_url?: string;
  output?: { video_url: string };
  error?: { code: string; message: string };
};

/** Progress grows with the time spent, as the real service's does, and stops short of 100 until the end. */
export const progressOf = (task: SimulatorTask, generationMs: number, nowMs: number): number => {
  if (task.status !== taskStatuses.inProgress) return 100;
  const elapsed = nowMs - Date.parse(task.createdAt);
  return Math.max(0, Math.min(95, Math.floor((100 * elapsed) / Math.max(1, generationMs))));
};

export const taskResponseData = (
  task: SimulatorTask,
  context: { generationMs: number; nowMs: number; videoUrl: (taskId: string) => string },
): TaskResponseData => {
  const data: TaskResponseData = {
    task_id: task.taskId,
    status: task.status,
    progress: progressOf(task, context.generationMs, context.nowMs),
    model: task.model,
    created_at: task.createdAt,
    updated_at: task.updatedAt,
  };
  if (task.status === taskStatuses.completed) {
    const videoUrl = context.videoUrl(task.taskId);
    data.video_url = videoUrl;
    data.output = { video_url: videoUrl };
  }
  if (task.status === taskStatuses.failed && task.error) data.error = task.error;
  return data;
};

export const success = <T>(data: T) => ({ code: 200, message: "success", data }) as const;
