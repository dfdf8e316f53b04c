import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));
const simulatorMain = fileURLToPath(new URL("../local/simulator/main.ts", import.meta.url));
const s3ServerMain = fileURLToPath(new URL("./s3-server-main.ts", import.meta.url));

export type ServerProcess = { url: string; close(): Promise<void> };

const running = new Set<ChildProcess>();
// The servers die with the benchmark, however it ends.
process.once("exit", () => {
  for (const child of running) child.kill("SIGTERM");
});

/**
 * The simulator in a process of its own, as the upstream is another machine's: its serving does not
 * share the event loop of the code being measured. `SIM_*` settings as `npm start` takes them
 * (local/simulator/main.ts).
 */
export function startSimulatorProcess(settings: Record<string, string>): Promise<ServerProcess> {
  return startServerProcess(simulatorMain, { SIM_PORT: "0", ...settings });
}

/** The S3 server in a process of its own, as S3 is another machine's (bench/s3-server-main.ts). */
export function startS3ServerProcess(storageDir: string): Promise<ServerProcess> {
  return startServerProcess(s3ServerMain, { BENCH_S3_STORAGE_DIR: storageDir });
}

/** Runs `entry` with tsx; it answers on a free port and prints its URL before anything else of note. */
async function startServerProcess(entry: string, env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(tsx, [entry], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  const url = await firstUrlOf(child);
  return {
    url,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

/** The first line of the child's output that is a URL; a child that exits before is an error. */
async function firstUrlOf(child: ChildProcess): Promise<string> {
  if (!child.stdout) throw new Error(`the server process ${child.pid} has no stdout`);
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`the server process exited (code ${code}) before it printed its URL`);
  });
  const found = (async () => {
    for await (const line of lines) if (/^https?:\/\//.test(line)) return line.trim();
    throw new Error("the server process closed its output before it printed its URL");
  })();
  const url = await Promise.race([found, exited]);
  // Keep draining its log lines so that a full pipe never blocks it.
  child.stdout.resume();
  return url;
}
