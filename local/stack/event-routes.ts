import { createdObjects } from "../../functions/adapters/s3/s3-event-keys.js";
import type { Settings } from "../../functions/config/settings.js";
import type { Deps } from "../../functions/core/deps.js";
import { ingestOptionsFrom } from "../../functions/core/inbox/ingest-options.js";
import { bucketLayout } from "../../functions/core/output-keys.js";
import { completeVideos } from "../../functions/core/use-cases/complete-task.js";
import { ingestObjects, requireNoRetryableFailure } from "../../functions/core/use-cases/ingest-objects.js";
import type { NotificationRule } from "../servers/s3-notifying-front.js";

/**
 * The bucket notifications of infra/notifications.ts, for the local S3 front: same prefixes and
 * suffix, same use cases as the notify and ingest handlers.
 */
export function notificationRules(deps: Deps, settings: Settings): NotificationRule[] {
  const ingestOptions = ingestOptionsFrom(settings.environment);
  return [
    {
      name: "Notify",
      prefix: bucketLayout.outputsPrefix,
      suffix: bucketLayout.videoSuffix,
      deliver: (event) =>
        completeVideos(
          deps,
          createdObjects(event).map((object) => object.key),
        ),
    },
    {
      name: "Ingest",
      prefix: bucketLayout.inboxPrefix,
      deliver: async (event) =>
        requireNoRetryableFailure(await ingestObjects(deps, ingestOptions, createdObjects(event))),
    },
  ];
}
