import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createRequestSchema } from "../../functions/core/create-request.js";
import type { Deps } from "../../functions/core/deps.js";
import type { Logger } from "../../functions/core/ports.js";
import { submitTask } from "../../functions/core/use-cases/submit-task.js";
import { exampleImagePath } from "../../local/stack/local-app.js";
import { pollUntil } from "../support/run-poller-until.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function stackWith(options: Parameters<typeof startTestStack>[0]): Promise<TestStack> {
  const stack = await startTestStack(options);
  closers.push(() => stack.close());
  return stack;
}

async function submit(deps: Deps, stack: TestStack) {
  const request = createRequestSchema({ allowPrivateUrls: true }).parse({
    prompt: "a slow push-in",
    image: `data:image/jpeg;base64,${(await readFile(exampleImagePath)).toString("base64")}`,
  });
  const { task } = await submitTask(deps, { tenant: stack.tenant, request, source: { kind: "api" } });
  return task;
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (message: string) => lines.push(message);
  const logger = { lines, debug() {}, info() {}, warn: keep, error: keep, forTask: () => logger };
  return logger;
}

const finished = (task: { announced?: boolean }) => task.announced === true;
/** Past the create: the upstream's id is recorded, so no further create can be sent. */
const sentUpstream = (task: { upstream?: unknown }) => task.upstream !== undefined;

describe("a create the upstream accepts but answers late", () => {
  it("waits for an answer slower than a poll's timeout, and pays for one generation", async () => {
    // Prepare: the simulator creates, then answers after 1.5 s; a poll would give up after 0.5 s.
    const stack = await stackWith({
      simulator: { generationMs: 100, faults: { createReplyDelayMs: 1500 } },
      env: { UPSTREAM_TIMEOUT_MS: "500", UPSTREAM_CREATE_TIMEOUT_MS: "5000" },
    });

    // Act
    const task = await submit(stack.deps, stack);
    const ended = await pollUntil(stack.deps, task.id, sentUpstream);

    // Assess
    expect(ended.upstream?.taskId).toMatch(/^sim_/);
    expect(stack.simulator?.stats().creates).toBe(1);
    expect(ended).toMatchObject({ submitAttempts: 1 });
    expect(ended.ambiguousCreates).toBeUndefined();
  });

  it("does not retry an ambiguous create at once: it counts it, pauses, then tries once more", async () => {
    // Prepare: the first create answers after 3 s, past the 1 s create timeout; later ones at once.
    const stack = await stackWith({
      simulator: { generationMs: 100, faults: { createReplyDelayMs: 3000, lateCreates: 1 } },
      env: {
        UPSTREAM_TIMEOUT_MS: "500",
        UPSTREAM_CREATE_TIMEOUT_MS: "1000",
        UPSTREAM_AMBIGUOUS_PAUSE_MS: "2500",
      },
    });
    const logger = recordingLogger();
    const deps = { ...stack.deps, logger };

    // Act
    const task = await submit(deps, stack);
    const afterFirst = await deps.tasks.getTask(task.id);
    const ended = await pollUntil(deps, task.id, sentUpstream);

    // Assess: the retry waited out the pause; two generations were paid for, and that is reported.
    expect(afterFirst).toMatchObject({ phase: "queued", ambiguousCreates: 1, submitAttempts: 1 });
    expect(afterFirst?.nextPollAt).toBeGreaterThanOrEqual(Date.parse(task.createdAt) + 2500);
    expect(ended).toMatchObject({ ambiguousCreates: 1, submitAttempts: 2 });
    expect(stack.simulator?.stats().creates).toBe(2);
    expect(logger.lines).toContain("ambiguous upstream create: the upstream may have accepted it");
  });

  it("fails a task whose creates stay ambiguous after UPSTREAM_AMBIGUOUS_RETRIES, with a refund", async () => {
    const stack = await stackWith({
      simulator: { generationMs: 100, faults: { createReplyDelayMs: 1500 } },
      env: {
        UPSTREAM_TIMEOUT_MS: "300",
        UPSTREAM_CREATE_TIMEOUT_MS: "500",
        UPSTREAM_AMBIGUOUS_PAUSE_MS: "200",
        UPSTREAM_AMBIGUOUS_RETRIES: "1",
      },
      credits: 100,
    });

    const task = await submit(stack.deps, stack);
    const ended = await pollUntil(stack.deps, task.id, finished);

    expect(ended).toMatchObject({
      phase: "failed",
      error: { code: "upstream_timeout" },
      ambiguousCreates: 2,
    });
    expect(stack.simulator?.stats().creates).toBe(2);
    expect(await stack.deps.tenants.getTenant(stack.tenant.id)).toMatchObject({ creditsRemaining: 100 });
  });

  it("treats a create whose answer could not be saved as ambiguous, and logs the upstream's id", async () => {
    // Prepare: the save that records the upstream's task id fails once.
    const stack = await stackWith({ simulator: { generationMs: 100 }, env: { LEASE_MS: "1500" } });
    const logger = recordingLogger();
    let failedSaves = 0;
    const deps: Deps = {
      ...stack.deps,
      logger,
      tasks: {
        ...stack.deps.tasks,
        async saveTask(next, options) {
          if (next.phase === "submitted" && failedSaves === 0) {
            failedSaves++;
            throw new Error("the table is unreachable");
          }
          return stack.deps.tasks.saveTask(next, options);
        },
      },
    };

    const task = await submit(deps, stack);
    // The lease of the worker whose save failed runs out before anyone looks again.
    const ended = await pollUntil(deps, task.id, sentUpstream);

    expect(logger.lines).toContain(
      "upstream task created but not recorded; the next try treats it as ambiguous",
    );
    expect(ended).toMatchObject({ ambiguousCreates: 1, submitAttempts: 2 });
    expect(stack.simulator?.stats().creates).toBe(2);
  });
});
