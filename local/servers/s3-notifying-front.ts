import { Agent } from "node:http";
import type { AddressInfo } from "node:net";
import { createDeliveryQueue } from "./delivery-queue.js";
import { headS3Object } from "./s3-head-object.js";
import type { NotificationRule } from "./s3-notification-rule.js";
import { createS3Proxy } from "./s3-proxy.js";
import { createS3WriteRecorder } from "./s3-write-recorder.js";

export type { NotificationRule } from "./s3-notification-rule.js";

export type S3NotifyingFrontOptions = {
  port: number;
  /** The S3 server to pass everything to, e.g. fauxqs's endpoint. */
  target: string;
  rules: NotificationRule[];
  /** Delivery failures and dropped events; defaults to console.warn. */
  log?: (message: string) => void;
  /** Retry backoff of failed deliveries; defaults to 200 ms doubling up to 10 s. */
  retry?: { minDelayMs?: number; maxDelayMs?: number };
  /** Deliveries running at once; defaults to 8. */
  concurrency?: number;
};

export type RunningS3NotifyingFront = {
  endpoint: string;
  stop(): Promise<void>;
  /** Resolves once every event of the writes answered so far has been delivered. */
  drain(): Promise<void>;
};

/**
 * A transparent HTTP front for an S3 server that has no bucket notifications (fauxqs): requests
 * and responses stream through unchanged, and each successful PutObject, CopyObject,
 * CompleteMultipartUpload or POST Object becomes a genuine S3 event record for every matching
 * rule, delivered at least once while the front runs.
 */
export async function startS3NotifyingFront(
  options: S3NotifyingFrontOptions,
): Promise<RunningS3NotifyingFront> {
  const target = new URL(options.target);
  const log = options.log ?? ((message: string) => console.warn(message));
  const agent = new Agent({ keepAlive: true });
  const queue = createDeliveryQueue({
    concurrency: options.concurrency ?? 8,
    minDelayMs: options.retry?.minDelayMs ?? 200,
    maxDelayMs: options.retry?.maxDelayMs ?? 10_000,
    onFailure: (label, attempt, retryInMs, error) =>
      log(
        `s3-notifying-front: delivery ${label} failed (attempt ${attempt}), retrying in ${retryInMs} ms: ${describe(error)}`,
      ),
  });
  const recorder = createS3WriteRecorder({
    rules: options.rules,
    queue,
    headObject: (bucket, key) => headS3Object(target, agent, bucket, key),
    log,
  });
  const server = createS3Proxy({ target, agent, observe: recorder });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    // Every event is queued the moment its write is answered, so the queue is all there is to wait for.
    drain: () => queue.idle(),
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        if (queue.pending > 0) {
          log(`s3-notifying-front: stopping, dropping ${queue.pending} undelivered event(s)`);
        }
        const queueClosed = queue.close();
        // Ends the lookups of running deliveries; the queue, closed, drops them instead of retrying.
        agent.destroy();
        await queueClosed;
      })();
      return stopping;
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
