import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { buildDeps } from "../functions/config/build-deps.js";
import { parseSettings } from "../functions/config/settings.js";
import type { FirstPollSettings } from "../functions/core/first-poll.js";
import { sweepDueWork } from "../functions/core/use-cases/run-poller.js";
import { freePort } from "../local/servers/free-port.js";
import { startS3NotifyingFront } from "../local/servers/s3-notifying-front.js";
import { startSimulator } from "../local/simulator/create-simulator.js";
import { notificationRules } from "../local/stack/event-routes.js";
import { exampleRequest } from "../local/stack/example-request.js";
import { createLocalApp } from "../local/stack/local-app.js";
import { localEnvironment } from "../local/stack/local-environment.js";
import { seedTenant } from "../local/stack/seed-tenant.js";
import { generationTimes, type ModelRun, modelFirstPolls } from "../test/support/first-poll-model.js";
import {
  difference,
  startDynamoCounter,
  startS3Counter,
  startUpstreamCounter,
  type Tally,
  total,
  without,
} from "../test/support/request-tally.js";
import { type BenchContext, type Benchmark, type BenchOutput, valueFigure } from "./harness.js";
import { freshNamespace } from "./local-servers.js";

const taskCount = Number(process.env.BENCH_COST_TASKS ?? 3);
/** The modelled generations: 2 minutes ± 20 %, evenly spread (Hailuo's take minutes). */
const generation = { meanMs: 120_000, spread: 0.2 };
/** The deployed first-poll settings: the defaults of UPSTREAM_POLL_INTERVAL_MS and UPSTREAM_FIRST_POLL_*. */
const deployedFirstPoll = parseSettings({
  TABLE_NAME: "t",
  BUCKET: "b",
  UPSTREAM: "simulator",
  UPSTREAM_BASE_URL: "http://127.0.0.1:9",
}).core.firstPoll;

/**
 * Status polls per video, the first and the last included, as the poller makes them for the modelled
 * generations: with the first poll learned (deployed) and at a fixed interval (learning off). The
 * learning runs 300 generations in before the 2,000 measured.
 */
function modelledPolls() {
  const learned = (settings: FirstPollSettings) => {
    const warmUp = modelFirstPolls(settings, generationTimes(generation.meanMs, generation.spread, 1), 300);
    return modelFirstPolls(
      settings,
      generationTimes(generation.meanMs, generation.spread, 2),
      2_000,
      warmUp.estimate,
    );
  };
  return {
    learned: learned(deployedFirstPoll),
    fixed: learned({ ...deployedFirstPoll, maxMs: deployedFirstPoll.intervalMs }),
  };
}
const apiKey = "bench-cost-key";
const webhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/**
 * us-east-1 list prices, as the doc states them: Lambda on arm64 (infra/function-defaults.ts deploys
 * every function on Graviton), DynamoDB on demand as priced since November 2024.
 */
export const prices = {
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  writeUnit: 0.625 / 1e6,
  readUnit: 0.125 / 1e6,
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
};
/** Memory of each function (infra/api.ts, poller.ts, notifications.ts), in GB. */
const memoryGb = { api: 1, poller: 0.5, notify: 0.25 };
/** The deployed poller: one run a minute, sweeping every POLL_INTERVAL_MS for POLLER_RUN_MS while work is due. */
const deployedPoller = { runMs: 50_000, sweepEveryMs: 2_000, dueShards: 4 };
const putClass =
  /^(PutObject|CopyObject|UploadPart|UploadPartCopy|CreateMultipartUpload|CompleteMultipartUpload|ListObjects)/;
const getClass = /^(GetObject|HeadObject)/;

async function runCost(context: BenchContext): Promise<BenchOutput> {
  const namespace = await freshNamespace("bench-cost");
  const dynamo = await startDynamoCounter(namespace.dynamoEndpoint);
  const s3 = await startS3Counter();
  const simulator = await startSimulator({ generationMs: 3_000, renderConcurrency: 1 });
  const upstream = await startUpstreamCounter(simulator.url);
  const frontPort = await freePort();
  s3.setTarget(`http://127.0.0.1:${frontPort}`);
  const settings = parseSettings({
    ...localEnvironment({
      tableName: namespace.tableName,
      bucket: namespace.bucket,
      dynamoEndpoint: dynamo.endpoint,
      s3Endpoint: s3.endpoint,
      upstreamUrl: upstream.endpoint,
    }),
    UPSTREAM_POLL_INTERVAL_MS: "500",
    LOG_LEVEL: "SILENT",
  });
  const deps = buildDeps(settings, { serviceName: "bench" });
  const notify = { invocations: 0, ms: 0 };
  const front = await startS3NotifyingFront({
    port: frontPort,
    target: namespace.s3Endpoint,
    rules: notificationRules(deps, settings).map((rule) => ({
      ...rule,
      deliver: async (event) => {
        const startedAt = performance.now();
        try {
          await rule.deliver(event);
        } finally {
          notify.invocations += 1;
          notify.ms += Math.ceil(performance.now() - startedAt);
        }
      },
    })),
    log: () => {},
  });
  const local = createLocalApp(deps, settings, { webhookSecret: () => webhookSecret, log: () => {} });
  const server = serve({ fetch: local.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await seedTenant(deps.tenants, { id: "bench-cost", name: "Bench", apiKey, webhookSecret });
    // One idle sweep: what the poller pays per loop, whatever the traffic.
    await Promise.all([dynamo.settled(), s3.settled()]);
    dynamo.reset();
    await sweepDueWork(deps, { limit: 100, concurrency: 8 });
    await dynamo.settled();
    // (the sweep above found nothing: the table is new)
    const idleSweep = total(dynamo.tally());
    dynamo.reset();
    s3.reset();

    context.progress(
      `${taskCount} tasks one after another through the api, the poller's sweeps and notify, counted`,
    );
    const observer = buildDeps(
      { ...settings, environment: { ...settings.environment, DYNAMODB_ENDPOINT: namespace.dynamoEndpoint } },
      { serviceName: "observer" },
    );
    const isSweep = (label: string) => label === "Query byDue";
    const snapshot = async () => {
      await front.drain();
      await Promise.all([dynamo.settled(), s3.settled(), upstream.settled()]);
      return { dynamo: dynamo.tally(), s3: s3.tally(), upstream: upstream.tally() };
    };
    type Snapshot = Awaited<ReturnType<typeof snapshot>>;
    const delta = (after: Snapshot, before: Snapshot) => ({
      dynamo: without(difference(after.dynamo, before.dynamo), isSweep),
      s3: difference(after.s3, before.s3),
      upstream: difference(after.upstream, before.upstream),
    });
    let apiMs = 0;
    const fixed: Tally[] = [];
    const fixedS3: Tally[] = [];
    const pollSamples: Tally[] = [];
    for (let index = 0; index < taskCount; index += 1) {
      let before = await snapshot();
      const startedAt = performance.now();
      const response = await fetch(`${apiUrl}/api/v1/videos/generations`, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: JSON.stringify(exampleRequest(apiUrl)),
      });
      const body = (await response.json()) as { data?: { task_id: string } };
      apiMs += Math.ceil(performance.now() - startedAt);
      if (!body.data) throw new Error(`create answered ${response.status}`);
      const taskId = body.data.task_id;
      const deadline = Date.now() + 120_000;
      while (true) {
        const task = await observer.tasks.getTask(taskId);
        if (task?.phase === "done" && task.announced) break;
        if (Date.now() > deadline) throw new Error(`task ${taskId} did not finish: ${task?.phase}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const phaseBefore = (await observer.tasks.getTask(taskId))?.phase;
        await sweepDueWork(deps, { limit: 10, concurrency: 2 });
        const after = await snapshot();
        const step = delta(after, before);
        before = after;
        const phase = (await observer.tasks.getTask(taskId))?.phase;
        const onlyPolls = Object.keys(step.upstream).length === 1 && step.upstream.poll?.requests === 1;
        // A repeat poll: neither the first (it moves the task to generating and teaches the first
        // poll's delay) nor the last (it finds the video): those two every video has, in its fixed part.
        if (onlyPolls && phaseBefore === "generating" && phase === "generating")
          pollSamples.push(step.dynamo);
        else {
          fixed.push(step.dynamo);
          fixedS3.push(step.s3);
        }
      }
      const finish = delta(await snapshot(), before);
      fixed.push(finish.dynamo);
      fixedS3.push(finish.s3);
      context.progress(`task ${index + 1}/${taskCount} done`);
    }
    const merge = (tallies: Tally[]) => tallies.reduce((sum, tally) => plus(sum, tally), {} as Tally);
    const dynamoTally = merge(fixed);
    const s3Tally = merge(fixedS3);
    const units = total(dynamoTally);
    const pollUnits = total(merge(pollSamples));
    const perPoll = {
      writeUnits: pollSamples.length
        ? (pollUnits.writeUnits + pollUnits.indexWriteUnits) / pollSamples.length
        : 0,
      readUnits: pollSamples.length ? pollUnits.readUnits / pollSamples.length : 0,
    };
    const schedule = modelledPolls();
    // The first and the last poll are in the fixed part; a video ended at its first poll has one only.
    const repeatPolls = (model: { pollsPerVideo: number }) => Math.max(0, model.pollsPerVideo - 2);
    const pollsPerVideo = repeatPolls(schedule.learned);
    const perTask = {
      writeUnits: (units.writeUnits + units.indexWriteUnits) / taskCount + pollsPerVideo * perPoll.writeUnits,
      readUnits: units.readUnits / taskCount + pollsPerVideo * perPoll.readUnits,
      s3Put: total(s3Tally, (label) => putClass.test(label)).requests / taskCount,
      s3Get: total(s3Tally, (label) => getClass.test(label)).requests / taskCount,
      apiGbSeconds: (memoryGb.api * apiMs) / 1000 / taskCount,
      notifyInvocations: notify.invocations / taskCount,
      notifyGbSeconds: (memoryGb.notify * notify.ms) / 1000 / taskCount,
    };

    // The poller, deployed: a run each minute for as long as work is due (up to 50 s), sweeping
    // every 2 s (4 shard queries each). At 1 task a minute that run is the task's alone; at 100 a
    // minute one run serves 100 tasks.
    const runGbSeconds = (memoryGb.poller * deployedPoller.runMs) / 1000;
    const sweepsPerRun = deployedPoller.runMs / deployedPoller.sweepEveryMs;
    const sweepReadUnitsPerRun = sweepsPerRun * idleSweep.readUnits;
    const scenario = (tasksPerMinute: number, polls = pollsPerVideo) => {
      const withoutPolls = (pollsPerVideo - polls) * perPoll.writeUnits * prices.writeUnit;
      const withoutPollReads = (pollsPerVideo - polls) * perPoll.readUnits * prices.readUnit;
      const share = 1 / tasksPerMinute;
      const lambda =
        (perTask.apiGbSeconds + perTask.notifyGbSeconds + runGbSeconds * share) * prices.lambdaGbSecond +
        (1 + perTask.notifyInvocations + share) * prices.lambdaRequest;
      const dynamoCost =
        perTask.writeUnits * prices.writeUnit +
        (perTask.readUnits + sweepReadUnitsPerRun * share) * prices.readUnit;
      const s3Cost = perTask.s3Put * prices.s3Put + perTask.s3Get * prices.s3Get;
      return {
        lambda: lambda * 1000,
        dynamo: (dynamoCost - withoutPolls - withoutPollReads) * 1000,
        s3: s3Cost * 1000,
      };
    };
    const burst = scenario(100);
    const single = scenario(1);
    const burstPush = scenario(100, 0);
    const burstFixed = scenario(100, repeatPolls(schedule.fixed));
    /** The share of the burst scenario's DynamoDB cost that `repeats` repeat polls a video make. */
    const pollShare = (repeats: number) => {
      const pollCost = repeats * perPoll.writeUnits * prices.writeUnit * 1000;
      return pollCost / (burstPush.dynamo + pollCost);
    };
    const sum = (cost: { lambda: number; dynamo: number; s3: number }) => cost.lambda + cost.dynamo + cost.s3;
    const row = (name: string, cost: { lambda: number; dynamo: number; s3: number }) => ({
      scenario: name,
      "Lambda $/1,000": cost.lambda,
      "DynamoDB $/1,000": cost.dynamo,
      "S3 $/1,000": cost.s3,
      "total $/1,000": sum(cost),
    });
    const sortedLabels = (tally: Tally) => Object.entries(tally).sort(([a], [b]) => a.localeCompare(b));
    return {
      parameters: { tasks: taskCount, ...memoryGb, ...deployedPoller, prices },
      figures: [
        valueFigure("$ per 1,000 videos, in bursts (100 a minute)", sum(burst), "$", "goal", 0.05, {
          at: "most",
          value: 0.05,
        }),
        valueFigure(
          "$ per 1,000 videos, in bursts, pushed (no repeat polls)",
          sum(burstPush),
          "$",
          "goal in bursts",
          0.05,
        ),
        valueFigure(
          "$ per 1,000 videos, in bursts, polled every 5 s from the start (first poll not learned)",
          sum(burstFixed),
          "$",
          "goal in bursts",
          0.05,
        ),
        valueFigure(
          "status polls per 2-minute video, first poll learned",
          schedule.learned.pollsPerVideo,
          "polls",
          "polled every 5 s from the start",
          schedule.fixed.pollsPerVideo,
        ),
        valueFigure(
          "end of generation → poll that finds it, mean, first poll learned",
          schedule.learned.noticeDelayMs,
          "ms",
          "polled every 5 s from the start",
          schedule.fixed.noticeDelayMs,
        ),
        valueFigure("$ per 1,000 videos, one at a time (1 a minute)", sum(single), "$", "goal", 0.5, {
          at: "most",
          value: 0.5,
        }),
      ],
      details: {
        "Status polls per video, modelled (2-minute generations ± 20 %, 2,000 after 300 to learn from)": [
          { schedule: "first poll learned (deployed)", ...modelRow(schedule.learned) },
          { schedule: "every 5 s from the start", ...modelRow(schedule.fixed) },
        ],
        "Per task (fixed part + polls), counted": [
          {
            "repeat polls (modelled)": pollsPerVideo,
            "WRU per poll": perPoll.writeUnits,
            "RRU per poll": perPoll.readUnits,
            "DynamoDB WRU (index writes included)": perTask.writeUnits,
            "DynamoDB RRU": perTask.readUnits,
            "S3 PUT-class": perTask.s3Put,
            "S3 GET-class": perTask.s3Get,
            "api GB-s": perTask.apiGbSeconds,
            "notify invocations": perTask.notifyInvocations,
            "notify GB-s": perTask.notifyGbSeconds,
          },
        ],
        "Poller, per run (deployed settings)": [
          {
            "GB-s": runGbSeconds,
            sweeps: sweepsPerRun,
            "RRU of one idle sweep (4 shard queries)": idleSweep.readUnits,
            "sweep RRU per run": sweepReadUnitsPerRun,
          },
        ],
        "$ per 1,000 videos": [
          row("bursts, 100 a minute", burst),
          row("bursts, pushed: no repeat polls", burstPush),
          row("bursts, polled every 5 s from the start", burstFixed),
          row("one at a time, 1 a minute", single),
        ],
        "DynamoDB requests of the fixed parts (polls and sweeps of the due index apart)": sortedLabels(
          dynamoTally,
        ).map(([label, usage]) => ({ request: label, ...usage })),
        "S3 requests in the run (the caller's download excluded)": sortedLabels(s3Tally).map(
          ([label, usage]) => ({
            request: label,
            requests: usage.requests,
          }),
        ),
      },
      notes: [
        `Prices (us-east-1, on demand): Lambda on arm64 $${prices.lambdaGbSecond}/GB-s and $0.20 per million requests; DynamoDB $0.625 per million write request units and $0.125 per million read request units (the on-demand prices since November 2024); S3 $0.005 per 1,000 PUT/COPY/POST/LIST and $0.0004 per 1,000 GET/HEAD. The upstream's price is excluded.`,
        `Counted on the real local servers through counting proxies (test/support/request-tally.ts): DynamoDB Local reports the capacity of each request (ReturnConsumedCapacity: INDEXES, index writes included). Each task runs alone, the poller's sweep called step by step, so each sweep's requests can be told apart: a sweep whose only upstream call was one status poll of a task that was generating and still is, is a repeat poll (${pollSamples.length} in this run: ${perPoll.writeUnits.toFixed(1)} WRU and ${perPoll.readUnits.toFixed(1)} RRU each); everything else (the create, the first poll, which moves the task to generating and nudges the learned first-poll delay, the last poll, the copy, notify, the webhook) is the video's fixed part. A video is then the fixed part plus its repeat polls, modelled: 2-minute generations (± 20 %, evenly spread) polled as the poller does with the deployed settings (test/support/first-poll-model.ts runs functions/core/first-poll.ts): ${schedule.learned.pollsPerVideo.toFixed(1)} polls a video with the first poll learned, ${schedule.fixed.pollsPerVideo.toFixed(1)} polled every 5 s from the start. The sweeps of the due index are billed with the poller's run.`,
        `What dominates: in bursts, DynamoDB writes. A repeat poll costs ${perPoll.writeUnits.toFixed(1)} WRU (one task write, the poll's turn, which sets the next poll time and so moves the item in \`byDue\`: a delete and a put in the index beside the item's own write); polled every 5 s from the start a 2-minute video takes ${schedule.fixed.pollsPerVideo.toFixed(1)} polls and its repeat polls were ${(100 * pollShare(repeatPolls(schedule.fixed))).toFixed(0)} % of its DynamoDB cost. Lever made: the first status poll waits a delay learned per kind of generation (functions/core/first-poll.ts: the time by which 10 % of them have ended at their first poll), so a video takes ${schedule.learned.pollsPerVideo.toFixed(1)} polls, its repeat polls are ${(100 * pollShare(pollsPerVideo)).toFixed(0)} % of the burst's DynamoDB cost, and the mean time from a generation's end to the poll that finds it goes from ${(schedule.fixed.noticeDelayMs / 1000).toFixed(1)} s to ${(schedule.learned.noticeDelayMs / 1000).toFixed(1)} s (the 10 % that end before their first poll wait for it). What is left is the fixed part (the "pushed" row, $${sum(burstPush).toFixed(3)}): S3's PUT-class requests (the input and the video, $${(perTask.s3Put * prices.s3Put * 1000).toFixed(3)} of it), the create's transaction, each phase change's task write with its move in \`byDue\`, notify's ending transaction and the webhook's delivery record. Levers made: notify writes copying → done in its one ending transaction (no notifying step), keeping the copy's place in \`byDue\`, and records the webhook with its first attempt in one write (26 → 10 WRU); \`byOwner\` carries the public status, which changes once, instead of the phase (3 WRU fewer a video); the status JSON only for drop-folder tasks (one PUT fewer for an api video); earlier, the narrower \`byOwner\`, one write per poll instead of a claim and a result, push, a task born with its first create's turn, a video within one part put in one PutObject, and no write of the copy's own after it. Not made: a due index whose key does not move on each poll (the sweep would filter on the next poll time), which would bring a repeat poll near 1 WRU but have every sweep read every task in flight; a create born with its first poll as its lease (its submitted write then leaves \`byDue\` alone: 2 WRU), which only generations whose learned first poll outlasts the create's timeout (UPSTREAM_CREATE_TIMEOUT_MS) could use.`,
        `Lambda time: the api's is each create's wall time at 1,024 MB, notify's each delivery's at 256 MB. The poller is billed by its run, not per task: one run a minute at 512 MB lasts up to 50 s while anything is due (it returns early once nothing is due before its stop time), so one at a time the whole run (${runGbSeconds} GB-s, $${(runGbSeconds * prices.lambdaGbSecond).toFixed(5)}) falls on one task: it dominates that scenario.`,
      ],
    };
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await front.stop();
    await simulator.close();
    await Promise.allSettled([dynamo.close(), s3.close(), upstream.close()]);
  }
}

function modelRow(model: ModelRun) {
  return {
    "polls per video": model.pollsPerVideo,
    "ended by their first poll": `${(100 * model.endedShare).toFixed(1)} %`,
    "end → found, mean ms": model.noticeDelayMs,
  };
}

function plus(a: Tally, b: Tally): Tally {
  const result: Tally = structuredClone(a);
  for (const [label, usage] of Object.entries(b)) {
    const current = result[label] ?? { requests: 0, readUnits: 0, writeUnits: 0, indexWriteUnits: 0 };
    result[label] = {
      requests: current.requests + usage.requests,
      readUnits: current.readUnits + usage.readUnits,
      writeUnits: current.writeUnits + usage.writeUnits,
      indexWriteUnits: current.indexWriteUnits + usage.indexWriteUnits,
    };
  }
  return result;
}

export const cost: Benchmark = {
  name: "cost",
  title: "$ per 1,000 videos, from the requests of an instrumented run",
  knobs: { BENCH_COST_TASKS: `tasks in the instrumented run (default ${taskCount})` },
  about: `
Runs tasks end to end, one after another, on the local stack (the api, the poller's sweep, the S3
notifying front with the deployed rules, notify, the webhook) with counting proxies before DynamoDB Local and the S3 front,
and counts per task: DynamoDB read and write units as DynamoDB Local reports them, S3 requests by
billing class, Lambda invocations and GB-s (api and notify by their measured time; the poller by
its deployed run: once a minute, up to 50 s at 512 MB). From these, $ per 1,000 videos at
us-east-1 prices, in bursts (100 tasks a minute share a poller run) and one at a time (1 a minute,
each pays a whole run). Goals: ≤ $0.05 and ≤ $0.50 per 1,000.
`,
  run: runCost,
};
