import { bucketLayout } from "../functions/core/output-keys";
import { apiPublicBaseUrl } from "./api";
import { sharedEnvironment } from "./deploy-settings";
import { functionDefaults } from "./function-defaults";
import { inboxQueue } from "./inbox";
import { bucket, table } from "./storage";

/**
 * Where notify's events go when Lambda gave up on them (2 retries). Nothing consumes it: a finished
 * video whose event was lost is completed by the poller anyway (the task stays `copying` with its
 * next poll LEASE_MS after the copy, and the poller then finds the video and completes it). The
 * queue only makes such a loss visible; it costs nothing while empty.
 */
export const notifyFailures = new sst.aws.Queue("NotifyFailures", {
  transform: { queue: { messageRetentionSeconds: 14 * 24 * 3600 } },
});

const inboxRoute = "Inbox";

/**
 * SST's policy on a notification's queue lets S3, SNS and EventBridge send from any bucket, topic or
 * rule of any account. Pin it to S3 events of this bucket. The policy's name is the one SST 4.17.1
 * gives it (bucket-notification.ts: `<bucket>Notifications` + `Notification<route>Policy`); a test
 * checks that the condition took.
 */
$transform(aws.sqs.QueuePolicy, (args, _options, name) => {
  if (name !== `MediaNotificationsNotification${inboxRoute}Policy`) return;
  args.policy = aws.iam.getPolicyDocumentOutput({
    statements: [
      {
        actions: ["sqs:SendMessage"],
        resources: [inboxQueue.arn],
        principals: [{ type: "Service", identifiers: ["s3.amazonaws.com"] }],
        conditions: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [bucket.arn] }],
      },
    ],
  }).json;
});

/**
 * The bucket's one notification block (S3 allows one configuration per bucket; SST refuses a second
 * `notify`). Prefixes and suffix are functions/core/output-keys.ts's bucketLayout, as the local
 * stack's S3 front uses them.
 */
export const notifications = bucket.notify({
  notifications: [
    {
      // A drop-folder image: queued for ingest (infra/inbox.ts), so that no event is lost.
      name: inboxRoute,
      events: ["s3:ObjectCreated:*"],
      filterPrefix: bucketLayout.inboxPrefix,
      queue: inboxQueue,
    },
    {
      // A finished video: mark the task done, write a drop-folder task's outputs/<id>.json, send the webhook.
      name: "Notify",
      events: ["s3:ObjectCreated:*"],
      filterPrefix: bucketLayout.outputsPrefix,
      filterSuffix: bucketLayout.videoSuffix,
      function: {
        ...functionDefaults,
        handler: "functions/handlers/notify.handler",
        // A few DynamoDB calls, one small S3 PUT and one webhook (WEBHOOK_TIMEOUT_MS 10 s) per record.
        memory: "256 MB",
        timeout: "30 seconds",
        link: [table],
        // Not linked to the bucket (a link grants the whole bucket): it only writes outputs/<id>.json
        // and presigns outputs/<id>.mp4, so it gets the name and outputs/ alone.
        environment: { ...sharedEnvironment, BUCKET: bucket.name, PUBLIC_BASE_URL: apiPublicBaseUrl },
        permissions: [
          {
            actions: ["s3:GetObject", "s3:PutObject"],
            resources: [$interpolate`${bucket.arn}/${bucketLayout.outputsPrefix}*`],
          },
          { actions: ["sqs:SendMessage"], resources: [notifyFailures.arn] },
        ],
        // S3 invokes notify asynchronously: Lambda's default 2 retries, then the failure record.
        retries: 2,
        transform: {
          eventInvokeConfig: { destinationConfig: { onFailure: { destination: notifyFailures.arn } } },
        },
      },
    },
  ],
});
