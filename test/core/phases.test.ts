import { describe, expect, it } from "vitest";
import { IllegalTransitionError } from "../../functions/core/errors.js";
import {
  allPhases,
  canMove,
  isTerminal,
  type Phase,
  publicStatus,
} from "../../functions/core/task/phases.js";
import { moveTask, type Task } from "../../functions/core/task/task.js";
import { aTask } from "../support/fixtures.js";

const legal: Record<Phase, Phase[]> = {
  queued: ["submitted", "failed", "canceled"],
  submitted: ["generating", "copying", "failed", "canceled"],
  generating: ["copying", "failed", "canceled"],
  copying: ["done", "failed", "canceled"],
  done: [],
  failed: [],
  canceled: [],
};

function taskIn(phase: Phase): Task {
  return aTask({ phase, attempts: 3, nextPollAt: 5, leaseUntil: 10, lastError: "boom", version: 4 });
}

describe("the task state machine", () => {
  for (const from of allPhases) {
    for (const to of allPhases) {
      const allowed = legal[from].includes(to);
      it(`${allowed ? "allows" : "forbids"} ${from} → ${to}`, () => {
        expect(canMove(from, to)).toBe(allowed);
        if (allowed) {
          const moved = moveTask(taskIn(from), to, {}, 1_000);
          expect(moved.phase).toBe(to);
          expect(moved.version).toBe(5);
          expect(moved.attempts).toBe(0);
          expect(moved.leaseUntil).toBeUndefined();
          expect(moved.lastError).toBeUndefined();
        } else {
          expect(() => moveTask(taskIn(from), to, {}, 1_000)).toThrow(IllegalTransitionError);
        }
      });
    }
  }

  it("keeps a lease that the move itself starts (the copy after a poll sees the video)", () => {
    const moved = moveTask(taskIn("generating"), "copying", { leaseUntil: 9_000, nextPollAt: 9_000 }, 1_000);

    expect(moved).toMatchObject({ phase: "copying", leaseUntil: 9_000, nextPollAt: 9_000 });
    expect(moved.lastError).toBeUndefined();
  });

  it("derives the public status the API promises", () => {
    expect(allPhases.map((phase) => [phase, publicStatus(phase)])).toEqual([
      ["queued", "IN_PROGRESS"],
      ["submitted", "IN_PROGRESS"],
      ["generating", "IN_PROGRESS"],
      ["copying", "IN_PROGRESS"],
      ["done", "completed"],
      ["failed", "failed"],
      ["canceled", "canceled"],
    ]);
  });

  it("treats exactly done, failed and canceled as terminal, and stamps completed_at there", () => {
    expect(allPhases.filter(isTerminal)).toEqual(["done", "failed", "canceled"]);
    expect(moveTask(taskIn("copying"), "done", {}, Date.UTC(2026, 0, 2)).completedAt).toBe(
      "2026-01-02T00:00:00.000Z",
    );
    expect(moveTask(taskIn("queued"), "submitted", {}, 0).completedAt).toBeUndefined();
  });
});
