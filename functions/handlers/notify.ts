import type { S3Event } from "aws-lambda";
import { createdObjects } from "../adapters/s3/s3-event-keys.js";
import { loadRuntime } from "../config/runtime.js";
import { completeVideos } from "../core/use-cases/complete-task.js";

const { deps, instrument } = loadRuntime("notify");

/** S3 ObjectCreated on outputs/*.mp4: the video is in the bucket, so its task is done. */
export const handler = instrument(
  (event: S3Event): Promise<void> =>
    completeVideos(
      deps,
      createdObjects(event).map((object) => object.key),
    ),
);
