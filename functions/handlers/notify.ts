import type { S3Event } from "aws-lambda";
import { createdObjects } from "../adapters/s3/s3-event-keys.js";
import { loadRuntime } from "../config/runtime.js";
import { taskIdOfVideoKey } from "../core/output-keys.js";
import { completeTask } from "../core/use-cases/complete-task.js";

const { deps } = loadRuntime("notify");

/** S3 ObjectCreated on outputs/*.mp4: the video is in the bucket, so the task is done. */
export async function handler(event: S3Event) {
  for (const object of createdObjects(event)) {
    const taskId = taskIdOfVideoKey(object.key);
    if (!taskId) {
      deps.logger.warn("ignored an object that is not a task video", { key: object.key });
      continue;
    }
    await completeTask(deps, taskId);
  }
}
