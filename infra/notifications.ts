import { sharedEnvironment } from "./deploy-settings";
import { functionDefaults } from "./function-defaults";
import { upstreamApiKey } from "./secrets";
import { bucket, table } from "./storage";

/**
 * The bucket's one notification block (S3 allows one configuration per bucket; SST refuses a second
 * `notify`). Prefixes and suffix are functions/core/output-keys.ts's bucketLayout.
 */
export const notifications = bucket.notify({
  notifications: [
    {
      // A drop-folder image: resolve its settings and submit it like an API create.
      name: "Ingest",
      events: ["s3:ObjectCreated:*"],
      filterPrefix: "inbox/",
      function: {
        ...functionDefaults,
        handler: "functions/handlers/ingest.handler",
        // Range-GET of the headers, a server-side copy to inputs/ (no image bytes through Lambda),
        // one DynamoDB transaction and one upstream create (15 s timeout) per record: 60 s is ample.
        memory: "512 MB",
        timeout: "60 seconds",
        link: [table, bucket, upstreamApiKey],
        environment: sharedEnvironment,
      },
    },
    {
      // A finished video: mark the task done, write outputs/<id>.json, send the webhook.
      name: "Notify",
      events: ["s3:ObjectCreated:*"],
      filterPrefix: "outputs/",
      filterSuffix: ".mp4",
      function: {
        ...functionDefaults,
        handler: "functions/handlers/notify.handler",
        // A few DynamoDB calls, one small S3 PUT and one webhook (WEBHOOK_TIMEOUT_MS 10 s) per record.
        memory: "256 MB",
        timeout: "30 seconds",
        link: [table],
        // Not linked to the bucket (a link grants the whole bucket): it only writes outputs/<id>.json
        // and presigns outputs/<id>.mp4, so it gets the name and outputs/ alone.
        environment: { ...sharedEnvironment, BUCKET: bucket.name },
        permissions: [
          { actions: ["s3:GetObject", "s3:PutObject"], resources: [$interpolate`${bucket.arn}/outputs/*`] },
        ],
      },
    },
  ],
});
