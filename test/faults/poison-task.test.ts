import { readFile } from "node:fs/promises";
import { DeleteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { itemKeys } from "../../functions/adapters/dynamo/item-keys.js";
import { createRequestSchema } from "../../functions/core/create-request.js";
import type { Deps } from "../../functions/core/deps.js";
import type { Logger } from "../../functions/core/ports.js";
import { submitTask } from "../../functions/core/use-cases/submit-task.js";
import { exampleImagePath } from "../../local/stack/local-app.js";
import { testDynamoClient } from "../support/aws-clients.js";
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

/** A logger that keeps its error lines, to check that a poison task is reported loudly. */
function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  const error = (message: string) => void errors.push(message);
  const logger = { errors, debug() {}, info() {}, warn() {}, error, forTask: () => logger };
  return logger;
}

describe("a task that cannot move on", () => {
  it("fails without a refund when its tenant is gone, instead of being re-leased for ever", async () => {
    // Prepare: the generation fails, so the task must be failed with a refund, but the tenant is gone.
    const stack = await stackWith({ simulator: { failureRate: 1, generationMs: 100 } });
    const logger = recordingLogger();
    const deps = { ...stack.deps, logger };
    const task = await submit(deps, stack);
    await DynamoDBDocumentClient.from(testDynamoClient()).send(
      new DeleteCommand({ TableName: stack.tableName, Key: itemKeys.tenant(stack.tenant.id) }),
    );

    // Act
    const ended = await pollUntil(deps, task.id, (current) => current.announced === true);

    // Assess
    // The simulator fails a generation with one of its reasons, picked at random.
    expect(ended?.phase).toBe("failed");
    expect(["generation_failed", "content_moderation"]).toContain(ended?.error?.code);
    expect(logger.errors).toContain("ending a task whose tenant is missing: nothing counted or refunded");
  });

  it("fails with step_failed_repeatedly, refunded and logged, once a step has thrown MAX_STEP_ATTEMPTS times", async () => {
    // Prepare: an upstream whose create throws what no retry policy covers (a defect of ours).
    const stack = await stackWith({ env: { MAX_STEP_ATTEMPTS: "3" }, credits: 100 });
    const logger = recordingLogger();
    let creates = 0;
    const deps: Deps = {
      ...stack.deps,
      logger,
      upstream: {
        ...stack.deps.upstream,
        async createTask() {
          creates++;
          throw new TypeError("cannot read properties of undefined");
        },
      },
    };
    const task = await submit(deps, stack);

    // Act
    const ended = await pollUntil(deps, task.id, (current) => current.announced === true);

    // Assess: the first try (at submission) and the poller's two more; the fourth claim fails it.
    expect(ended).toMatchObject({ phase: "failed", error: { code: "step_failed_repeatedly" } });
    expect(ended.error?.message).toContain("cannot read properties of undefined");
    expect(creates).toBe(3);
    expect(logger.errors).toContain("poison task: its step kept failing; failing it for good");
    expect(await deps.tenants.getTenant(stack.tenant.id)).toMatchObject({ creditsRemaining: 100 });
  });
});
