import { type BenchContext, type Benchmark, type BenchOutput, mean, median, ratioFigure } from "./harness.js";
import { measureDoneToWebhook } from "./latency-stack.js";

const taskCount = Number(process.env.BENCH_WEBHOOK_TASKS ?? 12);
/** settings.ts's defaults, which infra/ does not override: what a deployment runs with. */
const deployed = { UPSTREAM_POLL_INTERVAL_MS: 5_000, POLL_INTERVAL_MS: 2_000, POLLER_RUN_MS: 50_000 };
const scheduleMs = 60_000;

async function runWebhookLatency(context: BenchContext): Promise<BenchOutput> {
  const delays = await measureDoneToWebhook(context, {
    name: "webhook",
    env: {
      UPSTREAM_POLL_INTERVAL_MS: String(deployed.UPSTREAM_POLL_INTERVAL_MS),
      POLL_INTERVAL_MS: String(deployed.POLL_INTERVAL_MS),
    },
    tasks: taskCount,
    createEveryMs: 700,
    generationMs: 1_500,
    deadlineMs: 180_000,
  });
  const half = deployed.UPSTREAM_POLL_INTERVAL_MS / 2;
  const meanMs = mean(delays);
  // The deployed loop: a run every minute sweeps for POLLER_RUN_MS, so for the rest of the minute
  // nothing sweeps; a task done in that gap waits for the next run (half the gap on average).
  const gapMs = scheduleMs - deployed.POLLER_RUN_MS;
  const gapPenaltyMs = (gapMs / scheduleMs) * (gapMs / 2);
  return {
    parameters: { tasks: taskCount, ...deployed, generationMs: 1_500 },
    figures: [
      ratioFigure("done → webhook, mean (local loop)", meanMs, "ms", "half UPSTREAM_POLL_INTERVAL_MS", half),
      ratioFigure("done → webhook, median", median(delays), "ms", "half UPSTREAM_POLL_INTERVAL_MS", half),
      ratioFigure(
        "done → webhook, mean with the deployed schedule's gap added",
        meanMs + gapPenaltyMs,
        "ms",
        "half UPSTREAM_POLL_INTERVAL_MS",
        half,
      ),
    ],
    details: {
      "Delays (ms), task by task": delays.map((delay, index) => ({
        task: index + 1,
        "done → webhook ms": delay,
      })),
    },
    notes: [
      `Polling finds a finished task on its next poll: UPSTREAM_POLL_INTERVAL_MS (${deployed.UPSTREAM_POLL_INTERVAL_MS} ms) after the last, so ${half} ms late on average; a due task waits for the next sweep too (POLL_INTERVAL_MS ${deployed.POLL_INTERVAL_MS} ms, ${deployed.POLL_INTERVAL_MS / 2} ms on average), then the copy, the S3 event, notify and the webhook's POST follow.`,
      `Deployed, EventBridge starts one poller run a minute, and a run sweeps for POLLER_RUN_MS (${deployed.POLLER_RUN_MS / 1000} s): for ${gapMs / 1000} s of each minute nothing sweeps. A task done in that gap (${((100 * gapMs) / scheduleMs).toFixed(0)} % of the time) waits ${gapMs / 2000} s on average for the next run: ${gapPenaltyMs.toFixed(0)} ms more on the mean, added analytically in the last figure (measuring it would take minutes of wall time per sample). Push (MiniMax's callback) does not wait on either.`,
    ],
  };
}

export const webhookLatency: Benchmark = {
  name: "webhook-latency",
  title: "done upstream → signed webhook received, by polling at the deployed settings",
  knobs: { BENCH_WEBHOOK_TASKS: `tasks measured (default ${taskCount})` },
  about: `
The local stack as \`npm start\` wires it (the api app, the S3 notifying front with the deployed
notification rules, the simulator serving real MP4s (one render per image and settings, copied for later tasks, so ffmpeg's queue does not hold Success back), the local poller loop) but with the
deployed poll settings: \`UPSTREAM_POLL_INTERVAL_MS\` 5,000 and \`POLL_INTERVAL_MS\` 2,000
(settings.ts's defaults; infra/ sets neither). Tasks are created through the api, 700 ms apart;
for each, the delay is from the simulator's \`updated_at\` as it turned Success to the moment the
local webhook inbox received the verified webhook. The bound is half the upstream poll interval:
the mean wait of a poll-driven finish.
`,
  run: runWebhookLatency,
};
