import { describe, expect, it } from "vitest";
import { expectPromisesKept } from "./support/expect-promises.js";
import { runFaultScenario } from "./support/fault-scenario.js";

describe("the fault suite", () => {
  it("ends every task, stores each video once as served, delivers every webhook and counts credits exactly", async () => {
    const report = await runFaultScenario({ tasks: 8, pollers: 2, timeoutMs: 150_000, kills: 1 });

    console.log(`fault suite: ${JSON.stringify(report)}`);
    expectPromisesKept(report);
    expect(report.webhookRefused, "the receiver refused every first attempt").toBe(report.tasks);
    expect(report.kills, "the pollers' process was killed with SIGKILL and started again").toBe(1);
  }, 200_000);
});
