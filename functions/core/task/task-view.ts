import { publicStatus } from "./phases.js";
import type { Task, TaskError } from "./task.js";

/** The `data` of `GET /api/v1/tasks/{id}`, of webhooks and of `outputs/<id>.json`. */
export type TaskView = {
  task_id: string;
  status: ReturnType<typeof publicStatus>;
  phase: Task["phase"];
  model: string;
  prompt: string;
  duration: string;
  resolution: string;
  credits: number;
  source: "api" | "inbox";
  source_key?: string;
  created_at: string;
  updated_at: string;
  completed_at?: string;
  video_url?: string;
  video_expires_at?: string;
  output?: { video_url: string };
  error?: TaskError;
  metadata: Record<string, string>;
};

export function taskView(task: Task, video?: { url: string; expiresAt: string }): TaskView {
  const view: TaskView = {
    task_id: task.id,
    status: publicStatus(task.phase),
    phase: task.phase,
    model: task.model,
    prompt: task.prompt,
    duration: task.duration,
    resolution: task.resolution,
    credits: task.credits,
    source: task.source.kind,
    created_at: task.createdAt,
    updated_at: task.updatedAt,
    metadata: task.metadata,
  };
  if (task.source.kind === "inbox") view.source_key = task.source.key;
  if (task.completedAt) view.completed_at = task.completedAt;
  if (video) {
    view.video_url = video.url;
    view.video_expires_at = video.expiresAt;
    view.output = { video_url: video.url };
  }
  if (task.error) view.error = task.error;
  return view;
}
