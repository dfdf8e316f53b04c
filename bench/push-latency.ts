import {
  type BenchContext,
  type Benchmark,
  type BenchOutput,
  percentile,
  ratioFigure,
  valueFigure,
} from "./harness.js";
import { measureDoneToWebhook } from "./latency-stack.js";

const taskCount = Number(process.env.BENCH_PUSH_TASKS ?? 50);
/** The deployed poll settings (settings.ts's defaults), in both modes. */
const deployed = { UPSTREAM_POLL_INTERVAL_MS: 5_000, POLL_INTERVAL_MS: 2_000 };
const generationMs = 1_500;

async function runPushLatency(context: BenchContext): Promise<BenchOutput> {
  const mode = (name: "push" | "poll") =>
    measureDoneToWebhook(context, {
      name,
      push: name === "push",
      env: {
        UPSTREAM: "minimax",
        MINIMAX_API_KEY: "bench-minimax-key",
        // The simulator serves MiniMax's API on the same origin; unpaced, so no create waits a turn.
        UPSTREAM_RPM: "0",
        UPSTREAM_POLL_INTERVAL_MS: String(deployed.UPSTREAM_POLL_INTERVAL_MS),
        POLL_INTERVAL_MS: String(deployed.POLL_INTERVAL_MS),
      },
      tasks: taskCount,
      createEveryMs: 300,
      generationMs,
      deadlineMs: 600_000,
    });
  const push = await mode("push");
  const poll = await mode("poll");
  const rows = (delays: number[]) => ({ p50: percentile(delays, 0.5), p95: percentile(delays, 0.95) });
  const [pushed, polled] = [rows(push), rows(poll)];
  return {
    parameters: { tasks: taskCount, ...deployed, generationMs, upstream: "minimax" },
    figures: [
      valueFigure("push: done → webhook, p50", pushed.p50, "ms", "polling's p50, same run", polled.p50, {
        at: "most",
        value: 1_000,
      }),
      ratioFigure("push: done → webhook, p95", pushed.p95, "ms", "polling's p95, same run", polled.p95),
      ratioFigure(
        "poll: done → webhook, p50",
        polled.p50,
        "ms",
        "half UPSTREAM_POLL_INTERVAL_MS",
        deployed.UPSTREAM_POLL_INTERVAL_MS / 2,
      ),
      ratioFigure(
        "poll: done → webhook, p95",
        polled.p95,
        "ms",
        "UPSTREAM_POLL_INTERVAL_MS",
        deployed.UPSTREAM_POLL_INTERVAL_MS,
      ),
    ],
    details: {
      "Done → webhook (ms), side by side": [
        { mode: "push (MiniMax's callback)", p50: pushed.p50, p95: pushed.p95, tasks: push.length },
        { mode: "polling alone", p50: polled.p50, p95: polled.p95, tasks: poll.length },
      ],
    },
    notes: [
      `A push reaches the callback route when the simulator's task turns Success; the route takes the task's poll turn at once, before it is due, in the same request (asks the provider, copies the video), so the rest is the copy, the S3 event, notify and the webhook's POST. By polling, a finished task waits for its next poll (UPSTREAM_POLL_INTERVAL_MS ${deployed.UPSTREAM_POLL_INTERVAL_MS} ms after the last) and for the sweep that finds it due (POLL_INTERVAL_MS ${deployed.POLL_INTERVAL_MS} ms). Deployed, polling also waits out the 10 s of each minute in which no poller run sweeps (see webhook-latency); push does not.`,
    ],
  };
}

export const pushLatency: Benchmark = {
  name: "push-latency",
  title: "done upstream → signed webhook received, with MiniMax's push and by polling alone",
  knobs: { BENCH_PUSH_TASKS: `tasks per mode (default ${taskCount})` },
  about: `
\`UPSTREAM=minimax\` against the simulator's MiniMax endpoints, on the local stack as
\`npm start\` wires it (the api over HTTP, the S3 notifying front with the deployed notification
rules, the simulator serving real MP4s (one render per image and settings, copied for later tasks, so ffmpeg's queue does not hold Success back), the local poller loop), at the deployed poll settings
(\`UPSTREAM_POLL_INTERVAL_MS\` 5,000, \`POLL_INTERVAL_MS\` 2,000). The same tasks run twice: with push
(\`PUBLIC_BASE_URL\` is the api's URL, so each create carries a \`callback_url\` and the simulator
pushes each status change to it) and by polling alone (no \`PUBLIC_BASE_URL\`). For each task, the
delay is from the simulator's \`updated_at\` as it turned Success to the verified webhook's arrival
in the local inbox. Goal: push p50 ≤ 1 s; polling's figures are the bound beside it.
`,
  run: runPushLatency,
};
