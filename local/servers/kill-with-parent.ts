import type { ChildProcess } from "node:child_process";

const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const children = new Set<ChildProcess>();

function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  // Listening to a signal disables Node's default "exit on signal"; when nobody else handles it,
  // restore the default by re-raising it once our listener is gone.
  if (process.listenerCount(signal) === 1) {
    uninstall();
    process.kill(process.pid, signal);
  }
}

function install(): void {
  process.on("exit", killAll);
  for (const signal of signals) process.on(signal, onSignal);
}

function uninstall(): void {
  process.off("exit", killAll);
  for (const signal of signals) process.off(signal, onSignal);
}

/**
 * Makes sure `child` does not outlive this process (no orphaned JVMs after Ctrl-C or a plain
 * `kill`). Returns a function that forgets the child once it has been stopped normally.
 */
export function killWithParent(child: ChildProcess): () => void {
  if (children.size === 0) install();
  children.add(child);
  return () => {
    if (children.delete(child) && children.size === 0) uninstall();
  };
}
