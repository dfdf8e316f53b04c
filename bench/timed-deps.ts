import type { Deps } from "../functions/core/deps.js";

/** Time spent awaiting each port method, while `recording` is on: `tasks.createTask` → total ms, calls. */
export type PortTimes = Map<string, { ms: number; calls: number }>;

const timedPorts = [
  "tenants",
  "tasks",
  "images",
  "media",
  "upstream",
  "rateLimits",
  "deliveries",
  "webhooks",
] as const;

/**
 * The same Deps with every method of the ports wrapped in performance.now(): where a request's time
 * goes, await by await. The adapters underneath are the real ones; the wrapper costs a closure call.
 */
export function timedDeps(deps: Deps): { deps: Deps; times: PortTimes; recording: { on: boolean } } {
  const times: PortTimes = new Map();
  const recording = { on: false };
  const wrap = <T extends object>(portName: string, port: T): T =>
    new Proxy(port, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== "function") return value;
        const label = `${portName}.${String(property)}`;
        return (...args: unknown[]) => {
          const startedAt = performance.now();
          const settle = () => {
            if (!recording.on) return;
            const entry = times.get(label) ?? { ms: 0, calls: 0 };
            entry.ms += performance.now() - startedAt;
            entry.calls += 1;
            times.set(label, entry);
          };
          const result = value.apply(target, args);
          if (result instanceof Promise) return result.finally(settle);
          settle();
          return result;
        };
      },
    });
  const wrapped = { ...deps };
  for (const name of timedPorts) Object.assign(wrapped, { [name]: wrap(name, deps[name]) });
  return { deps: wrapped, times, recording };
}
