import type { GenerationRunner } from "../generation-runner.js";
import type { ResolvedSimulatorOptions } from "../simulator-options.js";
import { type SimulatorTask, taskStatuses } from "../simulator-task.js";
import type { TaskStore } from "../task-store.js";
import { ok } from "./base-resp.js";
import { pushStatus } from "./push.js";
import { failureBaseResp, queryFields, stageEnds } from "./task-status.js";

/**
 * MiniMax's pushes to a task's callback_url: one on each status change, shaped like the query
 * answer, with the lower-case status values MiniMax's pushes use.
 */
export const createStatusPusher = ({
  store,
  runner,
  options,
}: {
  store: TaskStore;
  runner: GenerationRunner;
  options: ResolvedSimulatorOptions;
}) => {
  const timers = new Set<NodeJS.Timeout>();
  const send = (url: string, body: Record<string, unknown>) =>
    pushStatus(url, body, { fetch: options.fetch, logger: options.logger });

  runner.onFinished((task) => {
    const url = task.minimaxCallbackUrl;
    if (!url) return;
    const success = task.status === taskStatuses.completed;
    const fields = queryFields(task, success ? "Success" : "Fail");
    void send(url, {
      ...fields,
      status: success ? "success" : "failed",
      base_resp: success ? ok : failureBaseResp(task),
    });
  });

  const later = (delayMs: number, action: () => Promise<void>) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void action();
    }, delayMs);
    timers.add(timer);
  };

  const follow = (task: SimulatorTask): void => {
    const url = task.minimaxCallbackUrl;
    if (!url) return;
    const stages = [
      ["queueing", stageEnds.preparing],
      ["processing", stageEnds.queueing],
    ] as const;
    for (const [status, share] of stages) {
      later(share * options.generationMs, async () => {
        const current = await store.load(task.taskId);
        // A generation that ended early has already pushed its end.
        if (current?.status !== taskStatuses.inProgress) return;
        await send(url, { ...queryFields(current, "Processing"), status, base_resp: ok });
      });
    }
  };

  const close = (): void => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };

  return { follow, close };
};
