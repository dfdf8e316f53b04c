import type { Deps } from "../deps.js";
import { firstPollDelayMs, firstPollNudge, generationKind, learnsFirstPoll } from "../first-poll.js";
import type { Task } from "../task/task.js";

const kindOf = (provider: string, task: Task) =>
  generationKind({ provider, model: task.model, resolution: task.resolution, duration: task.duration });

/**
 * How long after its create the first status poll of `task` comes: the delay learned for its kind
 * (core/first-poll.ts). A store that cannot answer costs the create nothing: the interval it is.
 */
export async function firstPollDelay(deps: Deps, task: Task, provider: string): Promise<number> {
  const settings = deps.settings.firstPoll;
  if (!learnsFirstPoll(settings)) return settings.intervalMs;
  try {
    return firstPollDelayMs(await deps.firstPolls.readEstimate(kindOf(provider, task)), settings);
  } catch (error) {
    deps.logger.warn("could not read the learned first-poll delay; polling at the interval", { error });
    return settings.intervalMs;
  }
}

/**
 * Learns from the answer to a generation's first scheduled poll whether that poll came too late
 * (`ended`) or early enough. A store that cannot take it loses one lesson, never the poll.
 */
export async function learnFromFirstPoll(deps: Deps, task: Task, ended: boolean): Promise<void> {
  const settings = deps.settings.firstPoll;
  if (!learnsFirstPoll(settings) || !task.upstream) return;
  try {
    await deps.firstPolls.nudgeEstimate(
      kindOf(task.upstream.provider, task),
      firstPollNudge(ended, settings),
    );
  } catch (error) {
    deps.logger.warn("could not record what a first poll learned", { error });
  }
}
