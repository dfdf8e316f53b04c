import { describe, expect, it } from "vitest";
import { synthesize } from "./support/synthesize.js";
import { functionFor, handlerOfArn, handlers, ofType, resourceTypes, theOne } from "./support/topology.js";

describe("the poller", () => {
  it("is fired every minute by EventBridge Scheduler", async () => {
    const synthesis = await synthesize();
    const schedule = theOne(synthesis, resourceTypes.schedule).inputs;
    expect(schedule.scheduleExpression).toBe("rate(1 minute)");
    expect(schedule.state).toBe("ENABLED");
    expect(handlerOfArn(synthesis, schedule.target.arn)).toBe(handlers.poller);
  });

  it("retries a failed delivery twice, then sends it to a dead-letter queue the scheduler may write", async () => {
    // Act
    const synthesis = await synthesize();
    const { target } = theOne(synthesis, resourceTypes.schedule).inputs;
    const [queue] = ofType(synthesis, resourceTypes.queue);
    const schedulerRole = ofType(synthesis, resourceTypes.role).find((role) => role.name === "PollerRole");
    const statements = JSON.parse(schedulerRole?.inputs.inlinePolicies[0].policy).Statement;

    // Assess
    expect(target.retryPolicy.maximumRetryAttempts).toBe(2);
    expect(queue?.name).toBe("PollerDeadLettersQueue");
    expect(target.deadLetterConfig.arn).toMatch(/:PollerDeadLettersQueue$/);
    expect(statements).toContainEqual({
      actions: ["sqs:SendMessage"],
      resources: [target.deadLetterConfig.arn],
    });
  });

  it("has a timeout longer than its sweep plus the safety margin the handler keeps", async () => {
    // Prepare: the handler sweeps until min(POLLER_RUN_MS, remaining − POLLER_SAFETY_MS).
    const poller = functionFor(await synthesize(), handlers.poller);
    const runMs = Number(poller.environment.POLLER_RUN_MS);
    const safetyMs = Number(poller.environment.POLLER_SAFETY_MS);

    // Assess: both set explicitly, so the defaults in settings.ts cannot drift under the timeout.
    expect(runMs).toBeGreaterThan(0);
    expect(safetyMs).toBeGreaterThan(0);
    expect(poller.lambda.inputs.timeout * 1000).toBeGreaterThan(runMs + safetyMs);
    // The sweep must also end before the next tick's run would double its work.
    expect(runMs).toBeLessThanOrEqual(60_000);
  });

  it("is not retried by Lambda: the next tick is the retry", async () => {
    const synthesis = await synthesize();
    const poller = functionFor(synthesis, handlers.poller);
    const config = ofType(synthesis, resourceTypes.eventInvokeConfig).find(
      (candidate) => candidate.inputs.functionName === poller.lambda.inputs.name,
    );
    expect(config?.inputs.maximumRetryAttempts).toBe(0);
  });
});
