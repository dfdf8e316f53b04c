import { Presets, SingleBar } from "cli-progress";
import type { TaskStatus } from "./api-client.js";
import { type Output, seconds } from "./output.js";

/** The phases a task goes through on its way to `done`, in order (docs/api.md). */
const phases = ["queued", "submitted", "generating", "copying", "done"] as const;

export type TaskProgress = { update(task: TaskStatus): void; stop(): void };

/**
 * One task's phase and elapsed time: a live bar on a terminal, a plain line per new phase otherwise,
 * nothing with --json (stdout holds only the JSON document then).
 */
export function taskProgress(output: Output, label: string): TaskProgress {
  const started = Date.now();
  if (output.json) return { update() {}, stop() {} };
  if (!output.interactive) {
    let last = "";
    return {
      update(task) {
        if (task.phase === last) return;
        last = task.phase;
        output.line(`${task.task_id}  ${task.phase}  ${seconds(Date.now() - started)}`);
      },
      stop() {},
    };
  }
  const bar = new SingleBar(
    {
      format: `${label} {bar} {phase} | {duration_formatted} | {task}`,
      stream: output.stream,
      hideCursor: true,
      clearOnComplete: false,
      barsize: 24,
    },
    Presets.shades_classic,
  );
  bar.start(phases.length - 1, 0, { phase: "starting", task: "" });
  return {
    update(task) {
      const index = phases.indexOf(task.phase as (typeof phases)[number]);
      bar.update(index >= 0 ? index : bar.getProgress() * (phases.length - 1), {
        phase: task.phase,
        task: task.task_id,
      });
    },
    stop: () => bar.stop(),
  };
}
