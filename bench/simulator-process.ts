import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const simulatorMain = fileURLToPath(new URL("../local/simulator/main.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));

export type SimulatorProcess = { url: string; close(): Promise<void> };

/**
 * The simulator in a process of its own, as the upstream is another machine's: its HTTP serving
 * then does not share the event loop of the code being measured. `SIM_*` settings as `npm start`
 * takes them (local/simulator/main.ts); it answers on a free port, whose URL it prints first.
 */
export async function startSimulatorProcess(settings: Record<string, string>): Promise<SimulatorProcess> {
  const child = spawn(tsx, [simulatorMain], {
    env: { ...process.env, SIM_PORT: "0", ...settings },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await firstUrlOf(child);
  return {
    url,
    async close() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

/** The first line of the child's output that is a URL; a child that exits before is an error. */
async function firstUrlOf(child: ChildProcess): Promise<string> {
  if (!child.stdout) throw new Error("the simulator process has no stdout");
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`the simulator process exited (code ${code}) before it printed its URL`);
  });
  const found = (async () => {
    for await (const line of lines) if (/^https?:\/\//.test(line)) return line.trim();
    throw new Error("the simulator process closed its output before it printed its URL");
  })();
  const url = await Promise.race([found, exited]);
  // Keep draining its log lines so that a full pipe never blocks it.
  child.stdout.resume();
  return url;
}
