import type { Duration, Model, Resolution } from "../create-request.js";
import { IllegalTransitionError } from "../errors.js";
import type { FailureCode } from "./failure-codes.js";
import { canMove, isTerminal, type Phase } from "./phases.js";

/** Where a task came from: the HTTP API, or an object dropped into the bucket's inbox/. */
export type TaskSource = { kind: "api" } | { kind: "inbox"; bucket: string; key: string; etag: string };

/** The input image: our validated copy under inputs/, or the caller's URL until it can be copied. */
export type ImageRef = { kind: "url"; url: string } | { kind: "stored"; key: string; contentType: string };

/** Why a task failed: one of the stable codes clients branch on, and words for people. */
export type TaskError = { code: FailureCode; message: string };

export type Task = {
  id: string;
  tenantId: string;
  source: TaskSource;
  model: Model;
  prompt: string;
  image: ImageRef;
  duration: Duration;
  resolution: Resolution;
  promptOptimizer: boolean;
  callbackUrl?: string;
  metadata: Record<string, string>;
  credits: number;
  phase: Phase;
  upstream?: { provider: string; taskId: string; videoUrl?: string; traceId?: string };
  /** The secret in this task's push URL (see core/push/push-token.ts); absent on older tasks. */
  pushSecret?: string;
  /** Consecutive failed attempts at the current step; reset when the task moves on. */
  attempts: number;
  /** Creates sent upstream for this task, counted before each is sent. */
  submitAttempts?: number;
  /** Epoch ms of the create in flight; set before it is sent, cleared once its outcome is recorded. */
  submitAttemptAt?: number;
  /** Creates whose fate stayed unknown (timeout, reset, 5xx after sending, or the worker stopped). */
  ambiguousCreates?: number;
  /**
   * Claims of the current step not yet followed by an outcome: the claim counts one, any recorded
   * outcome (progress, a move, an expected retry) clears it. What is left counts workers that died
   * and errors no retry policy covers; past `maxStepAttempts` the task fails for good.
   */
  stepClaims?: number;
  /** Epoch ms when the poller should look at the task again; absent once it is terminal. */
  nextPollAt?: number;
  /** Epoch ms until which one worker owns the task. */
  leaseUntil?: number;
  lastError?: string;
  error?: TaskError;
  output?: { key: string };
  /** The video copy under way, part by part (see copy-video.ts); gone once the copy is complete. */
  copy?: { uploadId: string; parts: { partNumber: number; eTag: string }[]; bytes: number };
  /** Set once a finished task's status JSON and webhook are recorded; until then it stays due. */
  announced?: boolean;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  /** Epoch ms after which an unfinished task fails with `upstream_timeout`. */
  deadlineAt: number;
  /** Optimistic-concurrency counter: every write names the version it read. */
  version: number;
};

export type TaskPatch = Partial<Omit<Task, "id" | "tenantId" | "version" | "phase" | "createdAt">>;

/** The next version of `task` in phase `to`, or IllegalTransitionError. Pure: the store writes it. */
export function moveTask(task: Task, to: Phase, patch: TaskPatch, now: number): Task {
  if (!canMove(task.phase, to)) {
    throw new IllegalTransitionError(`task ${task.id} cannot move from ${task.phase} to ${to}`);
  }
  // A move ends the step: its lease and last error go, unless the patch starts the next step's lease.
  const { leaseUntil: _lease, lastError: _error, stepClaims: _claims, ...rest } = task;
  const next: Task = {
    ...rest,
    ...patch,
    phase: to,
    attempts: 0,
    updatedAt: new Date(now).toISOString(),
    version: task.version + 1,
  };
  // A finished task stays on the due index (nextPollAt) until it is announced: see announceEnd.
  if (isTerminal(to)) next.completedAt = new Date(now).toISOString();
  return next;
}

/** Same phase, new bookkeeping (a retry, a poll, a lease). A key set to undefined is removed. */
export function touchTask(task: Task, patch: TaskPatch, now: number): Task {
  const next: Task = { ...task, ...patch, updatedAt: new Date(now).toISOString(), version: task.version + 1 };
  for (const key of Object.keys(patch) as (keyof TaskPatch)[]) {
    if (patch[key] === undefined) delete next[key];
  }
  return next;
}
