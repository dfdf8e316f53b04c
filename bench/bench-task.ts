import type { Deps } from "../functions/core/deps.js";
import { inputKey } from "../functions/core/output-keys.js";
import { newPushSecret } from "../functions/core/push/push-token.js";
import type { Task } from "../functions/core/task/task.js";

/** A task as submitTask records it (queued, image already stored), for benchmarks that need one as is. */
export function benchTask(deps: Deps, tenantId: string, overrides: Partial<Task> = {}): Task {
  const now = deps.clock.now();
  const id = deps.newId();
  return {
    id,
    tenantId,
    source: { kind: "api" },
    model: "hailuo/2-3-image-to-video-standard",
    prompt: "benchmark",
    image: { kind: "stored", key: inputKey(id), contentType: "image/jpeg" },
    duration: "6",
    resolution: "768P",
    promptOptimizer: true,
    metadata: {},
    credits: 1,
    phase: "queued",
    attempts: 0,
    nextPollAt: now,
    createdAt: new Date(now).toISOString(),
    updatedAt: new Date(now).toISOString(),
    deadlineAt: now + deps.settings.taskDeadlineMs,
    pushSecret: newPushSecret(),
    version: 1,
    ...overrides,
  };
}
