import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../functions/config/build-deps.js";
import { createRequestSchema } from "../../functions/core/create-request.js";
import type { Deps } from "../../functions/core/deps.js";
import { firstPollDelayMs, firstPollNudge, generationKind } from "../../functions/core/first-poll.js";
import type { Task } from "../../functions/core/task/task.js";
import { advanceTask } from "../../functions/core/use-cases/advance-task.js";
import { submitTask } from "../../functions/core/use-cases/submit-task.js";
import { exampleImagePath } from "../../local/stack/local-app.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

/**
 * A generation's first status poll comes at the delay learned for its kind (core/first-poll.ts):
 * the create sets it, the first scheduled poll's answer teaches it, on the real stack. The clock is
 * the test's own, so each delay is exact; the upstream's generations run on real time.
 */
describe("the first status poll of a generation", () => {
  let stack: TestStack;
  let now = Date.now();
  let deps: Deps;
  const interval = 200;
  /** What another instance (no cache of its own yet) reads of the stack's one kind of generation. */
  const learned = () =>
    buildDeps(stack.settings, { serviceName: "observer", logger: stack.deps.logger }).firstPolls.readEstimate(
      generationKind({
        provider: stack.deps.upstream.name,
        model: "hailuo/2-3-image-to-video-standard",
        resolution: "768P",
        duration: "6",
      }),
    );

  beforeAll(async () => {
    // Generations of 4 s: still running at a first poll made at once, ended at one made after them.
    stack = await startTestStack({
      simulator: { generationMs: 4_000, reuseRenders: true },
      env: { UPSTREAM_RPM: "0", UPSTREAM_POLL_INTERVAL_MS: String(interval) },
    });
    deps = { ...stack.deps, clock: { now: () => now } };
  });
  afterAll(async () => {
    await stack?.close();
  });

  const submit = async () => {
    const request = createRequestSchema({ allowPrivateUrls: true }).parse({
      prompt: "A slow sunset over the sea",
      image: `data:image/jpeg;base64,${(await readFile(exampleImagePath)).toString("base64")}`,
    });
    const { task } = await submitTask(deps, { tenant: stack.tenant, request, source: { kind: "api" } });
    expect(task.phase).toBe("submitted");
    return task;
  };
  /** Takes the task's first poll at its due time, as the poller would. */
  const pollWhenDue = async (task: Task, options: { pushed?: boolean } = {}) => {
    now = Math.max(now, task.nextPollAt ?? now);
    return advanceTask(deps, (await stack.deps.tasks.getTask(task.id)) ?? task, options);
  };
  /** Waits on the provider's own answer: the generation has ended upstream. */
  const generationEnded = async (task: Task) => {
    const deadline = Date.now() + 30_000;
    while ((await stack.deps.upstream.getTask(task.upstream?.taskId ?? "")).state === "running") {
      if (Date.now() > deadline) throw new Error(`generation ${task.upstream?.taskId} did not end`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it("waits the interval while nothing is learned, and later for each first poll that finds it still running", async () => {
    // Prepare
    const createdAt = now;
    const first = await submit();

    // Act
    const polled = await pollWhenDue(first);
    const afterOne = await learned();
    const second = await submit();

    // Assess
    expect(first.nextPollAt).toBe(createdAt + interval);
    expect(polled?.phase).toBe("generating");
    expect(afterOne).toBeCloseTo(
      Math.log(interval) + firstPollNudge(false, stack.settings.core.firstPoll).step,
      9,
    );
    expect(second.nextPollAt).toBe(now + firstPollDelayMs(afterOne, stack.settings.core.firstPoll));
    expect(second.nextPollAt).toBeGreaterThan(now + interval);
  });

  it("comes sooner after a first poll that finds the generation ended, and learns nothing from a push's early poll", async () => {
    // Prepare: a task whose generation has ended upstream before its first poll.
    const late = await submit();
    await generationEnded(late);
    const before = await learned();

    // Act
    const polled = await pollWhenDue(late);
    const afterEnded = await learned();
    const pushed = await submit();
    await pollWhenDue({ ...pushed, nextPollAt: now }, { pushed: true });

    // Assess: one ended step down; the pushed task's poll left the estimate as it was.
    expect(polled?.phase).not.toBe("submitted");
    expect(afterEnded).toBeCloseTo(
      (before ?? 0) + firstPollNudge(true, stack.settings.core.firstPoll).step,
      9,
    );
    expect(await learned()).toBeCloseTo(afterEnded ?? 0, 9);
  });
});
