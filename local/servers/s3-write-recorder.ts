import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { once } from "../../functions/adapters/load-once.js";
import type { DeliveryQueue } from "./delivery-queue.js";
import { buildS3Event, nextSequencer, type S3ObjectCreated } from "./s3-event-record.js";
import { matchesRule, type NotificationRule } from "./s3-notification-rule.js";
import { postObjectFormHeadBytes, postObjectKey } from "./s3-post-object-form.js";
import type { RequestObserver } from "./s3-proxy.js";
import { classifyS3Write } from "./s3-write-request.js";
import {
  answersInBody,
  completeVersion,
  eTagFromHeaders,
  type ObjectVersion,
  readResultBody,
  sizeFromRequest,
} from "./s3-write-response.js";
import { tapStream } from "./stream-tap.js";

export type S3WriteRecorderOptions = {
  rules: NotificationRule[];
  queue: DeliveryQueue;
  headObject: (bucket: string, key: string) => Promise<ObjectVersion | undefined>;
  log: (message: string) => void;
};

/** A successful write as its answer arrived: all of its event but what still has to be learned. */
type AnsweredWrite = {
  stamp: Omit<S3ObjectCreated, keyof ObjectVersion>;
  known: Partial<ObjectVersion>;
  /** The answer's body, when it carries the ETag (or a late error). */
  resultBody: Promise<{ head: Buffer; complete: boolean }> | undefined;
};

const resultBodyBytes = 64 * 1024;

/**
 * Turns each successful S3 write seen by the proxy into one queued delivery per matching rule, at
 * the moment the upstream answers 2xx (before the client sees a byte), so nothing the client or
 * the network does next can lose it, and `drain()` after a resolved SDK call covers it. Whatever
 * the answer does not tell (a copy's size, say) is learned inside the delivery, with its retries.
 */
export function createS3WriteRecorder(options: S3WriteRecorderOptions): RequestObserver {
  return (clientRequest) => {
    if (options.rules.length === 0) return undefined;
    const write = classifyS3Write({
      method: clientRequest.method ?? "GET",
      url: clientRequest.url ?? "/",
      host: clientRequest.headers.host ?? "",
      headers: clientRequest.headers,
    });
    if (!write) return undefined;
    const form = write.key === undefined ? tapStream(clientRequest, postObjectFormHeadBytes) : undefined;

    return (upstreamResponse) => {
      const status = upstreamResponse.statusCode ?? 0;
      if (status < 200 || status >= 300) return;
      // The upstream read the whole form before answering, so its head is all here.
      const key =
        write.key ?? postObjectKey(form?.head() ?? Buffer.alloc(0), clientRequest.headers["content-type"]);
      if (key === undefined) {
        options.log(
          `s3-notifying-front: no event for a POST Object to ${write.bucket}: no key field in the form`,
        );
        return;
      }
      const rules = options.rules.filter((rule) => matchesRule(rule, key));
      if (rules.length === 0) return;
      queueDeliveries(rules, answeredWrite({ ...write, key }, clientRequest, upstreamResponse), options);
    };
  };
}

/** One delivery per rule; they share the lookups, so a copy is HEADed once whatever the rules. */
function queueDeliveries(
  rules: NotificationRule[],
  answered: AnsweredWrite,
  options: S3WriteRecorderOptions,
): void {
  const created = once(() => describeObject(answered, options));
  const { eventName, bucket, key } = answered.stamp;
  for (const rule of rules) {
    try {
      options.queue.push(`${rule.name} ${eventName} s3://${bucket}/${key}`, async () => {
        const object = await created();
        if (object) await rule.deliver(buildS3Event(object, rule.name));
      });
    } catch (error) {
      // Only once stop() has closed the queue; throwing here would crash the proxy.
      options.log(`s3-notifying-front: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function answeredWrite(
  write: Pick<S3ObjectCreated, "eventName" | "bucket" | "key">,
  clientRequest: IncomingMessage,
  upstreamResponse: IncomingMessage,
): AnsweredWrite {
  const inBody = answersInBody(write.eventName);
  const eTag = inBody ? undefined : eTagFromHeaders(upstreamResponse.headers);
  const size = sizeFromRequest(write.eventName, clientRequest.headers);
  return {
    // Stamped now, not at delivery, so the sequencer orders the writes of a key as they happened.
    stamp: {
      ...write,
      eventTime: new Date(),
      sequencer: nextSequencer(),
      requestId: header(upstreamResponse, "x-amz-request-id") ?? randomBytes(8).toString("hex").toUpperCase(),
      hostId: header(upstreamResponse, "x-amz-id-2") ?? randomBytes(24).toString("base64"),
      sourceIpAddress: clientRequest.socket.remoteAddress ?? "127.0.0.1",
    },
    known: { ...(eTag === undefined ? {} : { eTag }), ...(size === undefined ? {} : { size }) },
    resultBody: inBody ? tapStream(upstreamResponse, resultBodyBytes).finished : undefined,
  };
}

/** The event's object, or `undefined` when the write turns out to have failed. Throws to be retried. */
async function describeObject(
  answered: AnsweredWrite,
  options: Pick<S3WriteRecorderOptions, "headObject" | "log">,
): Promise<S3ObjectCreated | undefined> {
  const { stamp } = answered;
  const where = `${stamp.eventName} s3://${stamp.bucket}/${stamp.key}`;
  let known = answered.known;
  if (answered.resultBody) {
    const result = readResultBody((await answered.resultBody).head);
    if (result.failed) {
      options.log(`s3-notifying-front: no event for ${where}: its 2xx answer carried an S3 error`);
      return undefined;
    }
    known = { ...known, ...(result.eTag === undefined ? {} : { eTag: result.eTag }) };
  }
  if (known.eTag !== undefined && known.size !== undefined) {
    return { ...stamp, eTag: known.eTag, size: known.size };
  }
  const { version, sizeLost } = completeVersion(known, await options.headObject(stamp.bucket, stamp.key));
  if (!version) {
    options.log(`s3-notifying-front: no event for ${where}: its answer was cut off and the key is gone`);
    return undefined;
  }
  if (sizeLost) options.log(`s3-notifying-front: ${where} was replaced or deleted before its size was read`);
  return { ...stamp, ...version };
}

function header(message: IncomingMessage, name: string): string | undefined {
  const value = message.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
