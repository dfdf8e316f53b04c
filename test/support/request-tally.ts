import { type CountingProxy, type SeenRequest, startCountingProxy } from "./counting-proxy.js";

/** Requests of one kind, and (DynamoDB) the capacity units DynamoDB Local reported for them. */
export type Usage = { requests: number; readUnits: number; writeUnits: number; indexWriteUnits: number };

/** Usage by label: `GetItem`, `Query byDue`, `PutObject outputs/`, `GetObject inbox/ 404`, `poll`… */
export type Tally = Record<string, Usage>;

export type Counter = CountingProxy & {
  tally(): Tally;
  reset(): void;
};

const none = (): Usage => ({ requests: 0, readUnits: 0, writeUnits: 0, indexWriteUnits: 0 });

function tallyKeeper() {
  let tally: Tally = {};
  return {
    add(label: string, usage: Partial<Usage> = {}) {
      const current = tally[label] ?? none();
      tally[label] = current;
      current.requests += 1;
      current.readUnits += usage.readUnits ?? 0;
      current.writeUnits += usage.writeUnits ?? 0;
      current.indexWriteUnits += usage.indexWriteUnits ?? 0;
    },
    tally: () => structuredClone(tally),
    reset() {
      tally = {};
    },
  };
}

const readOperations = new Set(["GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"]);
const reportsCapacity = new Set([
  ...readOperations,
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "BatchWriteItem",
  "TransactWriteItems",
]);

type ConsumedCapacity = {
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
};

/**
 * Counts DynamoDB requests by operation (the X-Amz-Target header), Queries also by index, and asks
 * DynamoDB Local for the capacity each one consumed (ReturnConsumedCapacity: INDEXES, added to the
 * request; the adapters ignore the extra field in the answer): table and index units, as DynamoDB
 * would bill them on demand, transactions' double cost and index write amplification included.
 */
export async function startDynamoCounter(target: string): Promise<Counter> {
  const keeper = tallyKeeper();
  const operationOf = (request: SeenRequest) =>
    String(request.headers["x-amz-target"] ?? "").split(".")[1] ?? "?";
  // A Query's index is in its body: noted while the body is rewritten, read when the answer comes.
  const queryIndexes = new WeakMap<SeenRequest, string>();
  const proxy = await startCountingProxy({
    inspectBodies: true,
    rewrite(request, body) {
      if (!reportsCapacity.has(operationOf(request))) return body;
      const input = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      if (typeof input.IndexName === "string") queryIndexes.set(request, input.IndexName);
      return Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: "INDEXES" }));
    },
    record(request, _status, responseBody) {
      const operation = operationOf(request);
      const answer = responseBody?.length
        ? (JSON.parse(responseBody.toString("utf8")) as { ConsumedCapacity?: unknown })
        : {};
      const consumed = [answer.ConsumedCapacity ?? []].flat() as ConsumedCapacity[];
      const table = sumOf(consumed.map((entry) => entry.Table?.CapacityUnits ?? 0));
      const indexes = sumOf(
        consumed.flatMap((entry) =>
          Object.values(entry.GlobalSecondaryIndexes ?? {}).map((index) => index.CapacityUnits ?? 0),
        ),
      );
      const label = operation === "Query" ? `Query ${queryIndexes.get(request) ?? "table"}` : operation;
      keeper.add(
        label,
        readOperations.has(operation)
          ? { readUnits: table + indexes }
          : { writeUnits: table, indexWriteUnits: indexes },
      );
    },
  });
  proxy.setTarget(target);
  return { ...proxy, tally: keeper.tally, reset: keeper.reset };
}

const sumOf = (values: number[]) => values.reduce((sum, value) => sum + value, 0);

/**
 * Counts S3 requests by operation (from method, query string and headers, as S3 bills them) and by
 * the key's top folder; failed ones carry their status (`GetObject inbox/ 404`: billed all the same).
 */
export async function startS3Counter(): Promise<Counter> {
  const keeper = tallyKeeper();
  const proxy = await startCountingProxy({
    record(request, status) {
      const url = new URL(request.url, "http://s3.local");
      const [, , ...key] = url.pathname.split("/");
      const folder = key.length > 1 ? `${decodeURIComponent(key[0] ?? "")}/` : "";
      const failed = status >= 300 ? ` ${status}` : "";
      keeper.add(
        `${s3Operation(request.method, url.searchParams, request.headers)} ${folder}${failed}`.trim(),
      );
    },
  });
  return { ...proxy, tally: keeper.tally, reset: keeper.reset };
}

function s3Operation(method: string, query: URLSearchParams, headers: SeenRequest["headers"]): string {
  const copy = headers["x-amz-copy-source"] !== undefined;
  if (method === "POST" && query.has("uploads")) return "CreateMultipartUpload";
  if (method === "POST" && query.has("uploadId")) return "CompleteMultipartUpload";
  if (method === "PUT" && query.has("uploadId")) return copy ? "UploadPartCopy" : "UploadPart";
  if (method === "DELETE" && query.has("uploadId")) return "AbortMultipartUpload";
  if (method === "PUT") return copy ? "CopyObject" : "PutObject";
  if (method === "GET" && (query.has("list-type") || query.has("prefix"))) return "ListObjects";
  if (method === "GET") return "GetObject";
  if (method === "HEAD") return "HeadObject";
  if (method === "DELETE") return "DeleteObject";
  return `${method} ?`;
}

/** Counts the upstream's API calls: `create`, `poll` (a task's status), `download` (a video). */
export async function startUpstreamCounter(target: string): Promise<Counter> {
  const keeper = tallyKeeper();
  const proxy = await startCountingProxy({
    record(request) {
      const path = new URL(request.url, "http://upstream.local").pathname;
      if (request.method === "POST" && path.endsWith("/videos/generations")) keeper.add("create");
      else if (request.method === "GET" && path.includes("/tasks/")) keeper.add("poll");
      else if (request.method === "GET" && path.startsWith("/files/")) keeper.add("download");
      else keeper.add(`${request.method} ${path}`);
    },
  });
  proxy.setTarget(target);
  return { ...proxy, tally: keeper.tally, reset: keeper.reset };
}

/** `after − before`, label by label; labels that did not change are left out. */
export function difference(after: Tally, before: Tally): Tally {
  const result: Tally = {};
  for (const [label, usage] of Object.entries(after)) {
    const earlier = before[label] ?? none();
    const delta = {
      requests: usage.requests - earlier.requests,
      readUnits: usage.readUnits - earlier.readUnits,
      writeUnits: usage.writeUnits - earlier.writeUnits,
      indexWriteUnits: usage.indexWriteUnits - earlier.indexWriteUnits,
    };
    if (delta.requests !== 0) result[label] = delta;
  }
  return result;
}

/** The sum of `tally`'s usages, optionally of the labels `include` accepts. */
export function total(tally: Tally, include: (label: string) => boolean = () => true): Usage {
  const sum = none();
  for (const [label, usage] of Object.entries(tally)) {
    if (!include(label)) continue;
    sum.requests += usage.requests;
    sum.readUnits += usage.readUnits;
    sum.writeUnits += usage.writeUnits;
    sum.indexWriteUnits += usage.indexWriteUnits;
  }
  return sum;
}

/** Tally without some labels (e.g. the poller's sweeps of the due index, billed by time). */
export function without(tally: Tally, exclude: (label: string) => boolean): Tally {
  return Object.fromEntries(Object.entries(tally).filter(([label]) => !exclude(label)));
}

/** `{ GetItem: 3, … }`: just the request counts, sorted by label, for printing and assertions. */
export function requestsOf(tally: Tally): Record<string, number> {
  return Object.fromEntries(
    Object.entries(tally)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, usage]) => [label, usage.requests]),
  );
}
