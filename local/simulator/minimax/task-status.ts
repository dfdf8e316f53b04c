import { type SimulatorTask, taskStatuses } from "../simulator-task.js";
import { fileIdOf, minimaxTaskIdOf } from "./ids.js";

export type MinimaxStatus = "Preparing" | "Queueing" | "Processing" | "Success" | "Fail";

/** Share of the generation time spent in each early stage, so every status is seen in turn. */
export const stageEnds = { preparing: 0.15, queueing: 0.35 } as const;

export const minimaxStatusOf = (task: SimulatorTask, generationMs: number, nowMs: number): MinimaxStatus => {
  if (task.status === taskStatuses.completed) return "Success";
  if (task.status === taskStatuses.failed) return "Fail";
  const share = (nowMs - Date.parse(task.createdAt)) / Math.max(1, generationMs);
  if (share < stageEnds.preparing) return "Preparing";
  if (share < stageEnds.queueing) return "Queueing";
  return "Processing";
};

/** A failed generation's `base_resp`: moderation has MiniMax's own code, any other failure none. */
export const failureBaseResp = (task: SimulatorTask): { status_code: number; status_msg: string } =>
  task.error?.code === "content_moderation"
    ? { status_code: 1027, status_msg: "output video sensitive" }
    : { status_code: 0, status_msg: "success" };

/** The query answer's fields, which pushes repeat. */
export const queryFields = (task: SimulatorTask, status: MinimaxStatus): Record<string, unknown> => {
  const taskId = minimaxTaskIdOf(task.taskId);
  const fields: Record<string, unknown> = { task_id: taskId, status };
  if (status === "Success" && task.video) {
    fields.file_id = fileIdOf(taskId);
    fields.video_width = task.video.width;
    fields.video_height = task.video.height;
  } else {
    fields.file_id = "";
  }
  return fields;
};
