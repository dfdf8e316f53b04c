import { describe, expect, it } from "vitest";
import { minimaxStatusOf } from "../../local/simulator/minimax/task-status.js";
import type { SimulatorTask } from "../../local/simulator/simulator-task.js";

const createdAt = "2026-01-01T00:00:00.000Z";
const task = (status: SimulatorTask["status"]): SimulatorTask => ({
  taskId: "sim_100000000000001",
  status,
  model: "MiniMax-Hailuo-2.3",
  prompt: "",
  imageUrl: null,
  durationSeconds: 6,
  resolution: "768P",
  promptOptimizer: true,
  callbackUrl: null,
  createdAt,
  updatedAt: createdAt,
  error: null,
  video: null,
});

describe("minimaxStatusOf", () => {
  const start = Date.parse(createdAt);

  it.each([
    [0, "Preparing"],
    [140, "Preparing"],
    [150, "Queueing"],
    [349, "Queueing"],
    [350, "Processing"],
    [5_000, "Processing"],
  ])("names an unfinished task %i ms into a 1000 ms generation %s", (elapsed, expected) => {
    expect(minimaxStatusOf(task("IN_PROGRESS"), 1000, start + elapsed)).toBe(expected);
  });

  it("names finished tasks Success and Fail whatever the time", () => {
    expect(minimaxStatusOf(task("completed"), 1000, start)).toBe("Success");
    expect(minimaxStatusOf(task("failed"), 1000, start)).toBe("Fail");
  });
});
