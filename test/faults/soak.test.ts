import { describe, expect, it } from "vitest";
import { expectPromisesKept } from "./support/expect-promises.js";
import { runFaultScenario } from "./support/fault-scenario.js";

const tasks = Number(process.env.SOAK_TASKS ?? 0);

/** `npm run soak`: the fault suite at scale (SOAK_TASKS tasks, default 500), with a progress line. */
describe.skipIf(tasks === 0)("the soak", () => {
  it(`keeps every promise over ${tasks} tasks under faults`, async () => {
    const report = await runFaultScenario({
      tasks,
      pollers: 2,
      kills: Number(process.env.SOAK_KILLS ?? 3),
      timeoutMs: Number(process.env.SOAK_TIMEOUT_MS ?? 3_600_000),
      progress: (line) => console.log(`soak: ${line}`),
    });
    console.log(`soak report: ${JSON.stringify(report, null, 2)}`);
    expectPromisesKept(report);
    expect(report.kills).toBe(Number(process.env.SOAK_KILLS ?? 3));
  }, 4_000_000);
});
