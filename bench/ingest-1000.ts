import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import pLimit from "p-limit";
import { tableShape } from "../functions/adapters/dynamo/table-definition.js";
import { buildDeps } from "../functions/config/build-deps.js";
import { parseSettings } from "../functions/config/settings.js";
import { newWebhookSecret } from "../functions/core/api-keys.js";
import { bucketLayout } from "../functions/core/output-keys.js";
import { ingestObjects } from "../functions/core/use-cases/ingest-objects.js";
import { startDynamoDbLocal } from "../local/servers/dynamodb-local.js";
import { freePort } from "../local/servers/free-port.js";
import { startS3NotifyingFront } from "../local/servers/s3-notifying-front.js";
import { startS3Server } from "../local/servers/s3-server.js";
import { notificationRules } from "../local/stack/event-routes.js";
import { localEnvironment } from "../local/stack/local-environment.js";
import { ensureBucket, ensureTable } from "../local/stack/provision.js";
import { seedTenant } from "../local/stack/seed-tenant.js";
import { makeJpeg, withTrailer } from "../test/ingest/support/images.js";
import { type BenchContext, type Benchmark, type BenchOutput, ratioFigure } from "./harness.js";

const objectCount = 1000;
const putConcurrency = 32;
/** Events the local front delivers at once: the stand-in for Lambda's concurrent invocations. */
const deliveryConcurrency = 16;
const tenantId = "bench-inbox";
const credentials = { accessKeyId: "local", secretAccessKey: "local" };
const region = "us-east-1";

/**
 * 1,000 small JPEGs PUT at once into inbox/batch/ through the notifying front (real notification
 * rules, real ingest use case, DynamoDB Local and the S3 server in memory). The upstream refuses
 * connections, so each task is recorded, tried once upstream, and left queued: no video is rendered.
 */
export async function runIngest1000(context: BenchContext): Promise<BenchOutput> {
  const [dynamo, s3Server] = await Promise.all([
    freePort().then((port) => startDynamoDbLocal({ port })),
    freePort().then((port) => startS3Server({ port })),
  ]);
  try {
    const tableName = "bench-tasks";
    const bucket = "bench-media";
    await ensureTable(new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials }), tableName);
    await ensureBucket(
      new S3Client({ endpoint: s3Server.endpoint, region, credentials, forcePathStyle: true }),
      bucket,
    );

    const frontPort = await freePort();
    const settings = parseSettings({
      ...localEnvironment({
        tableName,
        bucket,
        dynamoEndpoint: dynamo.endpoint,
        s3Endpoint: `http://127.0.0.1:${frontPort}`,
        upstreamUrl: "http://127.0.0.1:9", // refuses connections: tasks stay queued, nothing renders
        inboxTenantId: tenantId,
      }),
      LOG_LEVEL: "SILENT",
      UPSTREAM_TIMEOUT_MS: "2000",
    });
    const deps = buildDeps(settings, { serviceName: "bench" });
    const deliveryFailures: string[] = [];
    const handled = { count: 0, lastAt: 0 };
    const front = await startS3NotifyingFront({
      port: frontPort,
      target: s3Server.endpoint,
      rules: notificationRules(deps, settings).map((rule) => ({
        ...rule,
        // Counted in process, not by polling the table: a COUNT query every few ms would load the
        // very DynamoDB Local whose work is being measured.
        deliver: async (event) => {
          await rule.deliver(event);
          handled.count += event.Records.length;
          handled.lastAt = performance.now();
        },
      })),
      concurrency: deliveryConcurrency,
      log: (message) => deliveryFailures.push(message),
    });
    await seedTenant(deps.tenants, {
      id: tenantId,
      name: "Bench",
      apiKey: "bench-key",
      webhookSecret: newWebhookSecret(),
    });

    const jpeg = await makeJpeg(640, 360, 6);
    const s3 = new S3Client({ endpoint: front.endpoint, region, credentials, forcePathStyle: true });
    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials }),
    );
    const countTasks = () => countOwnerTasks(documents, tableName);

    context.progress(`image ${jpeg.length} bytes 640×360; ${objectCount} PUTs, ${putConcurrency} at a time`);
    const keys = Array.from(
      { length: objectCount },
      (_, index) => `inbox/batch/${String(index).padStart(4, "0")} photo.jpg`,
    );
    const putLimit = pLimit(putConcurrency);
    const startedAt = performance.now();
    await Promise.all(
      keys.map((key, index) =>
        putLimit(() =>
          s3.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: withTrailer(jpeg, `#${index}`),
              ContentType: "image/jpeg",
              Metadata: { prompt: `benchmark image ${index}`, ...(index % 2 ? { duration: "10" } : {}) },
            }),
          ),
        ),
      ),
    );
    const lastPutAt = performance.now();

    // Every event handled means every task recorded (or refused, which the report count shows).
    while (handled.count < objectCount && performance.now() - lastPutAt < 180_000) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      context.progress(`${handled.count}/${objectCount} events handled`);
    }
    await front.drain();
    const lastTaskAt = Math.max(handled.lastAt, lastPutAt);
    const recorded = await countTasks();

    // Every event once more, as one batch of 1,000 records: all must be duplicates.
    const head = await deps.media.head(keys[0] ?? "");
    const objects = await Promise.all(
      keys.map(async (key) => ({
        bucket,
        key,
        size: head?.size ?? 0,
        eTag: (await deps.media.head(key))?.eTag ?? "",
      })),
    );
    const replayStartedAt = performance.now();
    const replay = await ingestObjects(deps, settings.ingest, objects);
    const replayMs = performance.now() - replayStartedAt;
    const duplicates = replay.filter((outcome) => outcome.outcome === "duplicate").length;
    const afterReplay = await countTasks();
    const { KeyCount: errorReports = 0 } = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: bucketLayout.inboxErrorsPrefix }),
    );

    const seconds = (ms: number) => (ms / 1000).toFixed(2);
    const figures = {
      objects: objectCount,
      "PUT phase (s)": seconds(lastPutAt - startedAt),
      "last PUT → last task recorded (s)": seconds(lastTaskAt - lastPutAt),
      "first PUT → last task recorded (s)": seconds(lastTaskAt - startedAt),
      "tasks recorded / s (end to end)": (recorded / ((lastTaskAt - startedAt) / 1000)).toFixed(0),
      "tasks recorded": recorded,
      "replay of 1,000 records in one batch (s)": seconds(replayMs),
      "replay duplicates": duplicates,
      "tasks after replay": afterReplay,
      "error reports": errorReports,
      "delivery retries": deliveryFailures.length,
    };
    await front.stop();
    if (recorded !== objectCount || afterReplay !== objectCount || duplicates !== objectCount) {
      throw new Error(`expected exactly ${objectCount} tasks, got ${recorded} then ${afterReplay}`);
    }
    if (errorReports !== 0) throw new Error(`expected no error reports, found ${errorReports}`);
    const putsPerSecond = objectCount / ((lastPutAt - startedAt) / 1000);
    const tasksPerSecond = recorded / ((lastTaskAt - startedAt) / 1000);
    return {
      parameters: { objects: objectCount, putConcurrency, deliveryConcurrency, imageBytes: jpeg.length },
      figures: [
        ratioFigure(
          "tasks recorded per second, first PUT → last task",
          tasksPerSecond,
          "tasks/s",
          "PUTs/s through the front",
          putsPerSecond,
        ),
        ratioFigure(
          "replay of 1,000 records in one batch",
          replayMs / 1000,
          "s",
          "first pass, first PUT → last task",
          (lastTaskAt - startedAt) / 1000,
        ),
      ],
      details: { "Figures of the run": [figures] },
      notes: [
        "No goal: the figures to watch are the time from the last PUT to the last task and the replay time. " +
          "DynamoDB Local's JVM holds one core during the run; the use case waits on it, not the other way round.",
      ],
    };
  } finally {
    await Promise.allSettled([dynamo.stop(), s3Server.stop()]);
  }
}

async function countOwnerTasks(documents: DynamoDBDocumentClient, tableName: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: tableShape.ownerIndex.name,
        KeyConditionExpression: "#owner = :owner",
        ExpressionAttributeNames: { "#owner": tableShape.ownerIndex.partitionKey },
        ExpressionAttributeValues: { ":owner": tenantId },
        Select: "COUNT",
        ExclusiveStartKey: startKey,
      }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

export const ingest1000: Benchmark = {
  name: "ingest-1000",
  title: "1,000 images dropped into `inbox/` at once",
  about: `
Starts DynamoDB Local (in memory) and the S3 server (fauxqs, in memory), and puts the S3 notifying
front before the S3 server with the **real** notification rules of \`local/stack/event-routes.ts\`,
so \`inbox/\` events run the very ingest use case of the Lambda, 16 events at a time (the stand-in for
Lambda's concurrent invocations). It PUTs 1,000 distinct 640×360 JPEGs (≈14 KB, varied metadata)
into \`inbox/batch/\`, 32 at a time, counts handled events in process (polling the table would load
the DynamoDB Local being measured), checks that exactly 1,000 tasks exist and \`inbox-errors/\` is
empty, then hands the 1,000 objects to \`ingestObjects\` again as one batch: all must answer
\`duplicate\`.

"Recorded" means \`submitTask\` charged the credits, copied the image to \`inputs/\`, wrote the task and
its idempotency record (one transaction) and made its one immediate try upstream. The upstream
refuses connections (\`http://127.0.0.1:9\`): each try fails at once and the task stays queued, so
no video is rendered. The bound is the rate of the PUTs themselves through the same front.
`,
  run: runIngest1000,
};
