import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../functions/config/build-deps.js";
import type { Deps } from "../../functions/core/deps.js";
import type { Task } from "../../functions/core/task/task.js";
import { sweepDueWork } from "../../functions/core/use-cases/run-poller.js";
import { type RunningSimulator, startSimulator } from "../../local/simulator/create-simulator.js";
import { exampleRequest } from "../../local/stack/example-request.js";
import { createLocalApp, exampleImagePath } from "../../local/stack/local-app.js";
import { seedTenant } from "../../local/stack/seed-tenant.js";
import { testDynamoEndpoint, testS3Client } from "../support/aws-clients.js";
import {
  type Counter,
  difference,
  requestsOf,
  startDynamoCounter,
  startS3Counter,
  startUpstreamCounter,
  type Tally,
  total,
  without,
} from "../support/request-tally.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

/**
 * What one video costs in DynamoDB and S3 requests, counted on the real local servers through
 * counting proxies (DynamoDB Local reports the capacity units, GSI writes included). The figures
 * feed docs/deploy.md's cost section; the bounds below catch a change that multiplies them.
 */

type Counts = { dynamo: Tally; s3: Tally; upstream: Tally };

/** A video's requests in the phases the cost estimate scales differently. */
type VideoCounts = {
  /** The create (api or ingest), with its inline first submission. */
  create: Counts;
  /** One upstream status poll of a task still generating, by the poller; a video needs N of them. */
  polls: Counts[];
  /** The rest: the copy into outputs/, notify, the webhook. */
  finish: Counts;
  /** The caller reading the result once: the status GET and one download of the video. */
  read: Counts;
  videoBytes: number;
};

/** The poller's sweeps of the due index are billed by time, not per video: counted apart. */
const isSweep = (label: string) => label === "Query byDue";
const inboxOwner = "inbox-owner";

describe("requests per video, counted on the real local servers", () => {
  let dynamo: Counter;
  let s3: Counter;
  let upstream: Counter;
  let simulator: RunningSimulator;
  let stack: TestStack;
  /** The same table and bucket, not counted: what the test itself looks at. */
  let observer: Deps;
  let baseUrl: string;
  let closeApi: () => void;
  const measured: Record<string, VideoCounts> = {};

  beforeAll(async () => {
    simulator = await startSimulator({ generationMs: 1500 });
    upstream = await startUpstreamCounter(simulator.url);
    dynamo = await startDynamoCounter(testDynamoEndpoint());
    s3 = await startS3Counter();
    stack = await startTestStack({
      simulator: false,
      env: {
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        S3_ENDPOINT: s3.endpoint,
        UPSTREAM_BASE_URL: upstream.endpoint,
        INBOX_TENANT_ID: inboxOwner,
      },
    });
    s3.setTarget(stack.s3Endpoint);
    const environment = {
      ...stack.settings.environment,
      DYNAMODB_ENDPOINT: testDynamoEndpoint(),
      S3_ENDPOINT: stack.s3Endpoint,
    };
    observer = buildDeps({ ...stack.settings, environment }, { serviceName: "observer", logger: silent });

    const local = createLocalApp(stack.deps, stack.settings, {
      webhookSecret: () => stack.tenant.webhookSecret,
      log: () => {},
    });
    const server = serve({ fetch: local.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((resolve) => server.once("listening", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closeApi = () => server.close();
    await seedTenant(stack.deps.tenants, {
      id: inboxOwner,
      name: "Drop folder owner",
      apiKey: inboxKey(),
      webhookSecret: stack.tenant.webhookSecret,
      defaultCallbackUrl: `${baseUrl}/dev/webhooks`,
    });
  });

  afterAll(async () => {
    closeApi?.();
    await stack?.close();
    await Promise.allSettled([dynamo?.close(), s3?.close(), upstream?.close(), simulator?.close()]);
    printReport(measured);
  });

  const inboxKey = () => `inbox-key-${stack.bucket}`;
  const snapshot = async (): Promise<Counts> => {
    await stack.front.drain();
    await Promise.all([dynamo.settled(), s3.settled(), upstream.settled()]);
    return { dynamo: dynamo.tally(), s3: s3.tally(), upstream: upstream.tally() };
  };
  const since = (before: Counts, after: Counts): Counts => ({
    dynamo: without(difference(after.dynamo, before.dynamo), isSweep),
    s3: difference(after.s3, before.s3),
    upstream: difference(after.upstream, before.upstream),
  });

  /** Runs the poller's sweep, as its Lambda loop does, until the task is done and announced. */
  async function followToTheEnd(
    taskId: string,
    create: Counts,
    createdAt: Counts,
    apiKey = stack.apiKey,
  ): Promise<VideoCounts> {
    const polls: Counts[] = [];
    let finish = emptyCounts();
    let before = createdAt;
    let task: Task | undefined;
    const deadline = Date.now() + 90_000;
    do {
      if (Date.now() > deadline) throw new Error(`task ${taskId} did not finish: ${JSON.stringify(task)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await sweepDueWork(stack.deps, { limit: 10, concurrency: 2 });
      const after = await snapshot();
      const sweep = since(before, after);
      before = after;
      task = await observer.tasks.getTask(taskId);
      const stillGenerating = task?.phase === "submitted" || task?.phase === "generating";
      if (requestsOf(sweep.upstream).poll === 1 && stillGenerating) polls.push(sweep);
      else finish = plus(finish, sweep);
    } while (!(task?.phase === "done" && task.announced));

    // The caller reads the result once: the status (with its presigned video_url), then the video.
    const status = await fetch(`${baseUrl}/api/v1/tasks/${taskId}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const { data } = (await status.json()) as { data: { video_url: string } };
    const video = await fetch(data.video_url);
    const videoBytes = (await video.arrayBuffer()).byteLength;
    const read = since(before, await snapshot());
    return { create, polls, finish, read, videoBytes };
  }

  async function createByApi(body: Record<string, unknown>): Promise<{ taskId: string; counts: Counts }> {
    const before = await snapshot();
    const response = await fetch(`${baseUrl}/api/v1/videos/generations`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { data: { task_id: string } };
    expect(response.status).toBe(200);
    return { taskId: answer.data.task_id, counts: since(before, await snapshot()) };
  }

  it("one sweep of the due index with nothing due: the poller's cost per loop, whatever the traffic", async () => {
    // Act
    const before = await snapshot();
    await sweepDueWork(stack.deps, { limit: 10, concurrency: 2 });
    const sweep = difference((await snapshot()).dynamo, before.dynamo);

    // Assess: one query per shard of the due index, nothing else.
    expect(Object.keys(sweep)).toEqual(["Query byDue"]);
    expect(sweep["Query byDue"]?.requests).toBe(stack.settings.environment.DUE_SHARDS);
    console.log(`one idle sweep: ${JSON.stringify(sweep)}`);
  });

  it("a video through the api, image by URL (the public API's example request)", async () => {
    // Act
    const created = await createByApi(exampleRequest(baseUrl));
    const counts = await followToTheEnd(created.taskId, created.counts, await snapshot());
    measured["api, image URL"] = counts;

    // Assess
    expectSaneVideo(counts, { statusJson: false });
    // The image is fetched by us and staged in inputs/, the upstream reads that copy.
    expect(s3Requests(counts, "inputs/")).toBeGreaterThanOrEqual(2);
  });

  it("a video through the api, image inline (data: URL)", async () => {
    // Prepare
    const image = await readFile(exampleImagePath);
    const request = {
      ...exampleRequest(baseUrl),
      image: `data:image/jpeg;base64,${image.toString("base64")}`,
    };

    // Act
    const created = await createByApi(request);
    const counts = await followToTheEnd(created.taskId, created.counts, await snapshot());
    measured["api, image inline"] = counts;

    // Assess: the create itself writes the image to inputs/.
    expectSaneVideo(counts, { statusJson: false });
    expect(requestsOf(counts.create.s3)["PutObject inputs/"]).toBe(1);
  });

  it("a video from an image dropped into inbox/", async () => {
    // Act: the upload itself is counted too (the bucket owner pays for it).
    const before = await snapshot();
    await testS3Client(s3.endpoint).send(
      new PutObjectCommand({
        Bucket: stack.bucket,
        Key: "inbox/counts/example.jpg",
        Body: await readFile(exampleImagePath),
        ContentType: "image/jpeg",
      }),
    );
    const create = since(before, await snapshot());
    const { tasks } = await observer.tasks.listTasks(inboxOwner, { limit: 5 });
    const [task] = tasks;
    expect(task?.source).toMatchObject({ kind: "inbox", key: "inbox/counts/example.jpg" });
    const counts = await followToTheEnd(task?.id ?? "", create, await snapshot(), inboxKey());
    measured["drop folder"] = counts;

    // Assess: a server-side copy, no image bytes through the function.
    expectSaneVideo(counts, { statusJson: true });
    expect(requestsOf(counts.create.s3)["PutObject inbox/"]).toBe(1);
    expect(requestsOf(counts.create.s3)["CopyObject inputs/"]).toBe(1);
  });

  /** `statusJson`: a drop-folder task's answer, outputs/<id>.json, is written beside its video. */
  function expectSaneVideo(counts: VideoCounts, { statusJson }: { statusJson: boolean }) {
    const create = requestsOf(counts.create.dynamo);
    // One transaction records the task, its charge and its idempotency claim.
    expect(create.TransactWriteItems).toBeGreaterThanOrEqual(1);
    expect(requestsOf(counts.create.upstream).create).toBe(1);
    // Polls: one upstream GET each, and a claim and a save in DynamoDB at most.
    expect(counts.polls.length).toBeGreaterThanOrEqual(1);
    for (const poll of counts.polls) {
      expect(requestsOf(poll.upstream)).toEqual({ poll: 1 });
      expect(total(poll.dynamo).requests).toBeLessThanOrEqual(4);
      expect(total(poll.dynamo).writeUnits).toBeGreaterThan(0);
    }
    // The video (within one part, COPY_PART_BYTES) lands in outputs/ in one PUT, no multipart upload;
    // a drop-folder task's status JSON in another.
    const finish = requestsOf(counts.finish.s3);
    expect(counts.videoBytes).toBeLessThan(stack.deps.settings.copyPartBytes);
    expect(finish["PutObject outputs/"]).toBe(statusJson ? 2 : 1);
    expect(finish["CreateMultipartUpload outputs/"]).toBeUndefined();
    expect(finish["UploadPart outputs/"]).toBeUndefined();
    expect(finish["CompleteMultipartUpload outputs/"]).toBeUndefined();
    expect(requestsOf(counts.read.s3)["GetObject outputs/"]).toBe(1);
    // Bounds that a regression multiplying requests would cross.
    const fixed = [counts.create, counts.finish, counts.read];
    expect(sumOf(fixed.map((phase) => total(phase.dynamo).requests))).toBeLessThanOrEqual(40);
    expect(sumOf(fixed.map((phase) => total(phase.s3).requests))).toBeLessThanOrEqual(30);
  }
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const emptyCounts = (): Counts => ({ dynamo: {}, s3: {}, upstream: {} });
const sumOf = (values: number[]) => values.reduce((sum, value) => sum + value, 0);

function plus(a: Counts, b: Counts): Counts {
  const add = (x: Tally, y: Tally): Tally => {
    const result = structuredClone(x);
    for (const [label, usage] of Object.entries(y)) {
      const current = result[label] ?? { requests: 0, readUnits: 0, writeUnits: 0, indexWriteUnits: 0 };
      result[label] = {
        requests: current.requests + usage.requests,
        readUnits: current.readUnits + usage.readUnits,
        writeUnits: current.writeUnits + usage.writeUnits,
        indexWriteUnits: current.indexWriteUnits + usage.indexWriteUnits,
      };
    }
    return result;
  };
  return { dynamo: add(a.dynamo, b.dynamo), s3: add(a.s3, b.s3), upstream: add(a.upstream, b.upstream) };
}

function s3Requests(counts: VideoCounts, folder: string): number {
  return sumOf(
    [counts.create, ...counts.polls, counts.finish, counts.read].map(
      (phase) => total(phase.s3, (label) => label.includes(` ${folder}`)).requests,
    ),
  );
}

/** The per-video figures docs/deploy.md's cost section is computed from. */
function printReport(measured: Record<string, VideoCounts>) {
  const units = (tally: Tally) => {
    const sum = total(tally);
    return `${sum.writeUnits} WRU table + ${sum.indexWriteUnits} WRU indexes, ${sum.readUnits} RRU`;
  };
  const lines: string[] = ["requests per video (the poller's due-index sweeps apart):"];
  for (const [kind, counts] of Object.entries(measured)) {
    const [poll] = counts.polls;
    lines.push(`\n  ${kind} (${counts.polls.length} polls observed; video ${counts.videoBytes} bytes)`);
    const phases: [string, Counts | undefined][] = [
      ["create", counts.create],
      ["each poll", poll],
      ["finish", counts.finish],
      ["read", counts.read],
    ];
    for (const [name, phase] of phases) {
      if (!phase) continue;
      lines.push(
        `    ${name.padEnd(9)} DynamoDB ${JSON.stringify(requestsOf(phase.dynamo))} (${units(phase.dynamo)})`,
      );
      lines.push(`    ${"".padEnd(9)} S3 ${JSON.stringify(requestsOf(phase.s3))}`);
      lines.push(`    ${"".padEnd(9)} upstream ${JSON.stringify(requestsOf(phase.upstream))}`);
    }
  }
  console.log(lines.join("\n"));
}
