import { type ChildProcess, fork } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { Webhook } from "standardwebhooks";
import { buildDeps } from "../../../functions/config/build-deps.js";
import { createRequestSchema } from "../../../functions/core/create-request.js";
import type { Deps } from "../../../functions/core/deps.js";
import { videoKey } from "../../../functions/core/output-keys.js";
import type { Task } from "../../../functions/core/task/task.js";
import { sweepDueWork } from "../../../functions/core/use-cases/run-poller.js";
import { submitTask } from "../../../functions/core/use-cases/submit-task.js";
import { exampleImagePath } from "../../../local/stack/local-app.js";
import { testS3Client } from "../../support/aws-clients.js";
import { startTestStack, type TestStack } from "../../support/test-stack.js";

/** A webhook receiver that refuses each message's first attempt, times out on some second ones, then takes it. */
async function faultyReceiver(secret: string, hangMs: number) {
  const attemptsById = new Map<string, number>();
  const verified = new Map<string, unknown>();
  let refused = 0;
  let timedOut = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const id = String(request.headers["webhook-id"] ?? "");
      const attempt = (attemptsById.get(id) ?? 0) + 1;
      attemptsById.set(id, attempt);
      if (attempt === 1) {
        refused++;
        response.writeHead(503).end();
        return;
      }
      if (attempt === 2 && id.charCodeAt(id.length - 1) % 2 === 0) {
        timedOut++;
        setTimeout(() => response.writeHead(200).end(), hangMs).unref();
        return;
      }
      const headers = Object.fromEntries(
        ["webhook-id", "webhook-timestamp", "webhook-signature"].map((name) => [
          name,
          String(request.headers[name]),
        ]),
      );
      try {
        verified.set(id, new Webhook(secret).verify(Buffer.concat(chunks).toString("utf8"), headers));
        response.writeHead(200).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    verified,
    attempts: () => [...attemptsById.values()].reduce((sum, count) => sum + count, 0),
    refused: () => refused,
    timedOut: () => timedOut,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FaultReport = {
  tasks: number;
  completed: number;
  failed: Record<string, number>;
  lost: number;
  videosChecked: number;
  videoMismatches: number;
  webhooksVerified: number;
  webhooksMissing: number;
  webhookAttempts: number;
  webhookRefused: number;
  webhookTimedOut: number;
  creditsExpected: number;
  creditsSpent: number;
  upstreamCreates: number;
  tasksWithExtraCreates: number;
  extraCreatesExplained: number;
  ambiguousCreates: number;
  pollers: number;
  kills: number;
  ms: number;
};

export type FaultOptions = {
  tasks: number;
  pollers: number;
  timeoutMs: number;
  /**
   * How many times the pollers' process is killed with SIGKILL and started again, spread over the
   * run; 0 runs the pollers in this process.
   */
  kills?: number;
  progress?: (line: string) => void;
};

/**
 * Drives `tasks` through a stack whose upstream fails calls (30 %) and generations (10 %), spikes in
 * latency, hands out download URLs that expire within seconds, and whose webhook receiver refuses and
 * times out; `pollers` sweep at once. Ends when every task is finished and announced and every webhook
 * has settled, then checks the promises one by one.
 */
export async function runFaultScenario(options: FaultOptions): Promise<FaultReport> {
  const started = Date.now();
  const stack: TestStack = await startTestStack({
    simulator: {
      generationMs: 500,
      errorRate: 0.3,
      failureRate: 0.1,
      downloadTtlMs: 2000,
      renderConcurrency: 2,
      faults: { latencySpikeRate: 0.05, latencySpikeMs: 1500 },
    },
    env: {
      UPSTREAM_TIMEOUT_MS: "1000",
      UPSTREAM_CREATE_TIMEOUT_MS: "4000",
      UPSTREAM_AMBIGUOUS_PAUSE_MS: "300",
      UPSTREAM_AMBIGUOUS_RETRIES: "3",
      WEBHOOK_TIMEOUT_MS: "500",
      WEBHOOK_RETRY_SCHEDULE: "0.2,0.2,0.5,1,1,2,2,2",
      BACKOFF_BASE_MS: "100",
      BACKOFF_CAP_MS: "1000",
      LEASE_MS: "10000",
    },
    credits: 1_000_000,
  });
  const receiver = await faultyReceiver(stack.tenant.webhookSecret, 1500);
  try {
    const image = `data:image/jpeg;base64,${(await readFile(exampleImagePath)).toString("base64")}`;
    const schema = createRequestSchema({ allowPrivateUrls: true });
    const ids: string[] = [];
    for (let index = 0; index < options.tasks; index++) {
      const request = schema.parse({ prompt: `fault task ${index}`, image, callback_url: receiver.url });
      const { task } = await submitTask(stack.deps, {
        tenant: stack.tenant,
        request,
        source: { kind: "api" },
      });
      ids.push(task.id);
    }
    const sweeper =
      (options.kills ?? 0) > 0 ? await killablePollers(stack, options) : inProcessPollers(stack, options);
    try {
      const settled = await sweepUntilSettled(stack.deps, sweeper, ids, options);
      return await check(stack, ids, settled, receiver, options, sweeper.kills(), started);
    } finally {
      await sweeper.stop();
    }
  } finally {
    await receiver.close();
    await stack.close();
  }
}

/** Whoever sweeps the due work: `sweep` is one round (or nothing, when a process sweeps on its own). */
type Sweeper = {
  sweep(): Promise<void>;
  /** Told what share of the tasks has settled; a killable sweeper kills when a mark is passed. */
  progressed(share: number): Promise<void>;
  kills(): number;
  stop(): Promise<void>;
};

/** Each poller has clients of its own, as two Lambda runs would. */
function inProcessPollers(stack: TestStack, options: FaultOptions): Sweeper {
  const pollers = Array.from({ length: options.pollers }, () =>
    buildDeps(stack.settings, { serviceName: "poller", logger: stack.deps.logger }),
  );
  return {
    sweep: async () => {
      await Promise.all(pollers.map((poller) => sweepDueWork(poller, { limit: 100, concurrency: 8 })));
    },
    progressed: async () => {},
    kills: () => 0,
    stop: async () => {},
  };
}

/**
 * The pollers in a child process (poller-process.ts) that is killed with SIGKILL each time another
 * 1/(kills + 1) of the tasks has settled, and started again at once: whatever it was doing (a
 * create in flight, a copy half sent, a webhook) is cut off with nothing recorded.
 */
async function killablePollers(stack: TestStack, options: FaultOptions): Promise<Sweeper> {
  const script = fileURLToPath(new URL("./poller-process.ts", import.meta.url));
  const start = async (): Promise<ChildProcess> => {
    const child = fork(script, [], {
      execArgv: ["--import", "tsx"],
      env: { ...process.env, ...stack.environment, FAULT_POLLERS: String(options.pollers) },
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    await new Promise<void>((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("exit", (code) => reject(new Error(`the poller process exited (${code}) before sweeping`)));
    });
    return child;
  };
  const stopChild = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  let child = await start();
  let kills = 0;
  const planned = options.kills ?? 0;
  return {
    sweep: async () => {},
    progressed: async (share) => {
      if (kills >= planned || share < (kills + 1) / (planned + 1)) return;
      kills++;
      options.progress?.(
        `killing the pollers with SIGKILL (${kills}/${planned}) at ${Math.round(share * 100)} %`,
      );
      await stopChild(child);
      child = await start();
    },
    kills: () => kills,
    stop: () => stopChild(child),
  };
}

async function sweepUntilSettled(deps: Deps, sweeper: Sweeper, ids: string[], options: FaultOptions) {
  const deadline = Date.now() + options.timeoutMs;
  let settled = new Map<string, Task>();
  let lastLine = 0;
  while (true) {
    await sweeper.sweep();
    settled = new Map();
    for (const id of ids) {
      const task = await deps.tasks.getTask(id);
      if (!task?.announced) continue;
      const delivery = await deps.deliveries.getDelivery(
        id,
        task.phase === "done" ? "video.completed" : "video.failed",
      );
      if (delivery && delivery.state !== "pending") settled.set(id, task);
    }
    if (Date.now() - lastLine > 5000) {
      lastLine = Date.now();
      options.progress?.(`${settled.size}/${ids.length} tasks settled`);
    }
    if (settled.size === ids.length || Date.now() > deadline) return settled;
    await sweeper.progressed(settled.size / ids.length);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function sha256(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest("hex");
}

/** What the simulator served for an upstream task: its rendered file, read as a download would. */
async function servedHash(stack: TestStack, upstreamTaskId: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const state = await stack.deps.upstream.getTask(upstreamTaskId);
      if (state.state !== "succeeded") return undefined;
      return await sha256(await stack.deps.upstream.openVideo(state.videoUrl));
    } catch {
      // The simulator's injected errors also hit the checker: ask again.
    }
  }
  return undefined;
}

/** Creates the simulator accepted, by prompt (each task's prompt is its own). */
async function createsByPrompt(dataDir: string): Promise<Map<string, number>> {
  const folder = join(dataDir, "tasks");
  const counts = new Map<string, number>();
  for (const name of (await readdir(folder)).filter((file) => file.endsWith(".json"))) {
    const record = JSON.parse(await readFile(join(folder, name), "utf8")) as { prompt: string };
    counts.set(record.prompt, (counts.get(record.prompt) ?? 0) + 1);
  }
  return counts;
}

async function check(
  stack: TestStack,
  ids: string[],
  settled: Map<string, Task>,
  receiver: Awaited<ReturnType<typeof faultyReceiver>>,
  options: FaultOptions,
  kills: number,
  started: number,
): Promise<FaultReport> {
  const tasks = await Promise.all(ids.map(async (id) => (await stack.deps.tasks.getTask(id)) as Task));
  const creates = await createsByPrompt(stack.simulator?.dataDir ?? "");
  const report: FaultReport = {
    tasks: ids.length,
    completed: 0,
    failed: {},
    lost: ids.length - settled.size,
    videosChecked: 0,
    videoMismatches: 0,
    webhooksVerified: 0,
    webhooksMissing: 0,
    webhookAttempts: receiver.attempts(),
    webhookRefused: receiver.refused(),
    webhookTimedOut: receiver.timedOut(),
    creditsExpected: 0,
    creditsSpent: 0,
    upstreamCreates: [...creates.values()].reduce((sum, count) => sum + count, 0),
    tasksWithExtraCreates: 0,
    extraCreatesExplained: 0,
    ambiguousCreates: 0,
    pollers: options.pollers,
    kills,
    ms: 0,
  };
  for (const task of tasks) {
    report.ambiguousCreates += task.ambiguousCreates ?? 0;
    const createCount = creates.get(task.prompt) ?? 0;
    if (createCount > 1) {
      report.tasksWithExtraCreates++;
      if ((task.ambiguousCreates ?? 0) >= createCount - 1) report.extraCreatesExplained++;
    }
    const eventType = task.phase === "done" ? "video.completed" : "video.failed";
    const webhookId = (await stack.deps.deliveries.getDelivery(task.id, eventType))?.id ?? "";
    if (receiver.verified.has(webhookId)) report.webhooksVerified++;
    else report.webhooksMissing++;
    if (task.phase === "done") {
      report.completed++;
      report.creditsExpected += task.credits;
      report.videosChecked++;
      const object = await testS3Client().send(
        new GetObjectCommand({ Bucket: stack.bucket, Key: videoKey(task.id) }),
      );
      const stored = await sha256(object.Body as AsyncIterable<Uint8Array>);
      if (stored !== (await servedHash(stack, task.upstream?.taskId ?? ""))) report.videoMismatches++;
    } else if (task.phase === "failed") {
      const code = task.error?.code ?? "?";
      report.failed[code] = (report.failed[code] ?? 0) + 1;
    }
  }
  report.creditsSpent = (await stack.deps.tenants.getTenant(stack.tenant.id))?.creditsSpent ?? -1;
  report.ms = Date.now() - started;
  return report;
}
