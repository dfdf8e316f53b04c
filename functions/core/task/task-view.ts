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
  /** `GET /api/v1/tasks/{id}/content` of this task: a link that never expires, to a fresh video_url. */
  content_url?: string;
  output?: { video_url: string };
  error?: TaskError;
  metadata: Record<string, string>;
};

/** The stable link to a task's video, under the api's public origin. */
export function contentUrl(origin: string, taskId: string): string {
  return `${origin.replace(/\/+$/, "")}/api/v1/tasks/${taskId}/content`;
}

export function taskView(
  task: Task,
  video?: { url: string; expiresAt: string; origin?: string },
): TaskView {
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
    if (video.origin) view.content_url = contentUrl(video.origin, task.id);
  }
  if (task.error) view.error = task.error;
  return view;
}
