/** The lifecycle of a task, and the one function that decides which moves are legal. */
export const Phase = {
  queued: "queued",
  submitted: "submitted",
  generating: "generating",
  copying: "copying",
  done: "done",
  failed: "failed",
  canceled: "canceled",
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

export const allPhases = Object.values(Phase);

/** The public `status` the API promises: IN_PROGRESS until the end. */
export type PublicStatus = "IN_PROGRESS" | "completed" | "failed" | "canceled";

const legalMoves: Record<Phase, readonly Phase[]> = {
  queued: ["submitted", "failed", "canceled"],
  submitted: ["generating", "copying", "failed", "canceled"],
  generating: ["copying", "failed", "canceled"],
  copying: ["done", "failed", "canceled"],
  done: [],
  failed: [],
  canceled: [],
};

export function canMove(from: Phase, to: Phase): boolean {
  return legalMoves[from].includes(to);
}

/** The phases a task ends in. */
export type EndPhase = typeof Phase.done | typeof Phase.failed | typeof Phase.canceled;

export function isTerminal(phase: Phase): phase is EndPhase {
  return legalMoves[phase].length === 0;
}

/** The provider has the task and is generating it: what a status poll asks about, and holds a pace slot. */
export function isAtProvider(phase: Phase): boolean {
  return phase === "submitted" || phase === "generating";
}

export function publicStatus(phase: Phase): PublicStatus {
  switch (phase) {
    case "done":
      return "completed";
    case "failed":
      return "failed";
    case "canceled":
      return "canceled";
    default:
      return "IN_PROGRESS";
  }
}

export const publicStatuses: readonly PublicStatus[] = ["IN_PROGRESS", "completed", "failed", "canceled"];
