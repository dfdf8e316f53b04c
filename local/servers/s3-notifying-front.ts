import { randomBytes } from "node:crypto";
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { createDeliveryQueue } from "./delivery-queue.js";
import { buildS3Event, nextSequencer, type S3ObjectCreated } from "./s3-event-record.js";
import { matchesRule, type NotificationRule } from "./s3-notification-rule.js";
import { classifyS3Write, type S3WriteRequest } from "./s3-write-request.js";

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
 * and responses stream through unchanged, and each successful PutObject, CopyObject or
 * CompleteMultipartUpload becomes a genuine S3 event record for every matching rule, delivered at
 * least once.
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
  // Writes whose response is on its way but whose event is not queued yet (HEAD still running).
  const recording = new Set<Promise<void>>();

  const emit = (created: S3ObjectCreated) => {
    for (const rule of options.rules) {
      if (!matchesRule(rule, created.key)) continue;
      const event = buildS3Event(created, rule.name);
      queue.push(`${rule.name} ${created.eventName} s3://${created.bucket}/${created.key}`, () =>
        rule.deliver(event),
      );
    }
  };

  const server = createServer((clientRequest, clientResponse) => {
    const write = classifyS3Write({
      method: clientRequest.method ?? "GET",
      url: clientRequest.url ?? "/",
      host: clientRequest.headers.host ?? "",
      headers: clientRequest.headers,
    });
    const upstream = httpRequest({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: clientRequest.method,
      path: clientRequest.url,
      headers: clientRequest.rawHeaders,
      agent,
    });
    upstream.on("response", (upstreamResponse) => {
      const status = upstreamResponse.statusCode ?? 502;
      const wantsEvent = write !== undefined && status >= 200 && status < 300 && options.rules.length > 0;
      const bodyCheck = wantsEvent ? sniffResponseBody(upstreamResponse) : undefined;
      if (write && bodyCheck) {
        // Registered before the client sees a byte, so drain() after a resolved SDK call waits for it.
        const done = recordWrite(write, upstreamResponse, bodyCheck, clientRequest)
          .then(emit, (error) =>
            log(
              `s3-notifying-front: no event for ${write.eventName} s3://${write.bucket}/${write.key}: ${describe(error)}`,
            ),
          )
          .finally(() => recording.delete(done));
        recording.add(done);
      }
      clientResponse.writeHead(status, upstreamResponse.statusMessage, upstreamResponse.rawHeaders);
      pipeline(upstreamResponse, clientResponse).catch(() => clientResponse.destroy());
    });
    upstream.on("error", (error) => failResponse(clientResponse, error));
    pipeline(clientRequest, upstream).catch((error) => {
      upstream.destroy(error);
      failResponse(clientResponse, error);
    });
  });

  const recordWrite = async (
    write: S3WriteRequest,
    upstreamResponse: IncomingMessage,
    bodyCheck: Promise<string>,
    clientRequest: IncomingMessage,
  ): Promise<S3ObjectCreated> => {
    const body = await bodyCheck;
    // CompleteMultipartUpload (and CopyObject) can fail with a 200 whose body is an <Error>.
    if (/<Error>/.test(body)) throw new Error("the 2xx response carried an S3 error");
    const head = await headObject(target, agent, write.bucket, write.key);
    return {
      ...write,
      ...head,
      eventTime: new Date(),
      sequencer: nextSequencer(),
      requestId: header(upstreamResponse, "x-amz-request-id") ?? randomBytes(8).toString("hex").toUpperCase(),
      hostId: header(upstreamResponse, "x-amz-id-2") ?? randomBytes(24).toString("base64"),
      sourceIpAddress: clientRequest.socket.remoteAddress ?? "127.0.0.1",
    };
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async drain() {
      while (recording.size > 0 || queue.pending > 0) {
        await Promise.allSettled([...recording]);
        await queue.idle();
      }
    },
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await Promise.allSettled([...recording]);
        if (queue.pending > 0) log(`s3-notifying-front: stopping with ${queue.pending} undelivered event(s)`);
        await queue.close();
        agent.destroy();
      })();
      return stopping;
    },
  };
}

const sniffLimit = 64 * 1024;

/** Keeps the first bytes of a response as it streams past, without slowing or buffering it. */
function sniffResponseBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on("data", (chunk: Buffer) => {
      if (size >= sniffLimit) return;
      chunks.push(chunk);
      size += chunk.length;
    });
    response.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    response.once("error", reject);
    response.once("close", () => {
      if (!response.complete) reject(new Error("the upstream response was cut off"));
    });
  });
}

async function headObject(
  target: URL,
  agent: Agent,
  bucket: string,
  key: string,
): Promise<{ size: number; eTag: string }> {
  const path = `/${encodeURIComponent(bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`;
  return new Promise((resolve, reject) => {
    const head = httpRequest(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: "HEAD",
        path,
        agent,
      },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        if (status !== 200) return reject(new Error(`HEAD ${path} answered ${status}`));
        resolve({
          size: Number(response.headers["content-length"] ?? 0),
          eTag: String(response.headers.etag ?? "").replace(/^"|"$/g, ""),
        });
      },
    );
    head.once("error", reject);
    head.end();
  });
}

function header(message: IncomingMessage, name: string): string | undefined {
  const value = message.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function failResponse(response: ServerResponse, error: Error): void {
  if (response.writableEnded) return;
  if (response.headersSent) {
    response.destroy(error);
    return;
  }
  response.writeHead(502, { "content-type": "text/plain" });
  response.end(`s3-notifying-front: upstream failed: ${error.message}`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
