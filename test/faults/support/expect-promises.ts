import { expect } from "vitest";
import type { FaultReport } from "./fault-scenario.js";

/** The promises of docs/reliability.md, checked on a run under the simulator's faults. */
export function expectPromisesKept(report: FaultReport): void {
  expect(report.lost, "tasks that never ended").toBe(0);
  expect(report.videoMismatches, "stored videos whose bytes differ from the upstream's").toBe(0);
  expect(report.completed, "completed tasks whose video was checked").toBe(report.videosChecked);
  expect(report.webhooksMissing, "tasks without a verified webhook").toBe(0);
  expect(report.creditsSpent, "credits spent, against the completed tasks' prices").toBe(
    report.creditsExpected,
  );
  expect(report.extraCreatesExplained, "second creates not explained by an ambiguous create").toBe(
    report.tasksWithExtraCreates,
  );
}
