import { describe, expect, it } from "vitest";
import { pollerNodeOptions } from "../../infra/deploy-settings.js";
import { synthesize } from "./support/synthesize.js";
import {
  functionFor,
  handlerOfArn,
  handlers,
  ofType,
  queueOf,
  resourceTypes,
  theOne,
} from "./support/topology.js";

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
    const queue = queueOf(synthesis, "PollerDeadLetters");
    const schedulerRole = ofType(synthesis, resourceTypes.role).find((role) => role.name === "PollerRole");
    const statements = JSON.parse(schedulerRole?.inputs.inlinePolicies[0].policy).Statement;

    // Assess
    expect(target.retryPolicy.maximumRetryAttempts).toBe(2);
    expect(queue.name).toBe("PollerDeadLettersQueue");
    expect(target.deadLetterConfig.arn).toMatch(/:PollerDeadLettersQueue$/);
    expect(statements).toContainEqual({
      actions: ["sqs:SendMessage"],
      resources: [target.deadLetterConfig.arn],
    });
  });

  it("is not retried by Lambda: the next tick is the retry", async () => {
    const synthesis = await synthesize();
    const poller = functionFor(synthesis, handlers.poller);
    const config = ofType(synthesis, resourceTypes.eventInvokeConfig).find(
      (candidate) => candidate.inputs.functionName === poller.lambda.inputs.name,
    );
    expect(config?.inputs.maximumRetryAttempts).toBe(0);
  });

  it("runs with the Node flags its copies' memory is measured with", async () => {
    const { environment } = functionFor(await synthesize(), handlers.poller);
    expect(environment.NODE_OPTIONS).toBe(pollerNodeOptions);
    expect(pollerNodeOptions).toBe("--max-semi-space-size=1");
  });
});
