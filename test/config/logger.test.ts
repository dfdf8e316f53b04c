import { LogFormatter, LogItem } from "@aws-lambda-powertools/logger";
import type { LogAttributes, UnformattedAttributes } from "@aws-lambda-powertools/logger/types";
import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../functions/config/logger.js";
import { redactingLogger } from "../../functions/config/redact.js";

/** Powertools' own pipeline up to the last step: the records it formats are kept to be read. */
class KeepingFormatter extends LogFormatter {
  readonly records: Record<string, unknown>[] = [];
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const record = { ...attributes, ...additional };
    this.records.push(record);
    return new LogItem({ attributes: record });
  }
}

const invocation = {
  awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
  functionName: "hailuo-gateway-api",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:hailuo-gateway-api",
  memoryLimitInMB: "1024",
} as Context;

describe("the functions' logger", () => {
  it("logs an error as an object with its stack and its cause, secrets out", () => {
    // Prepare: the logger as the functions build it (Powertools behind the redacting layer).
    const formatter = new KeepingFormatter();
    const powertools = createLogger("api", "INFO", { logFormatter: formatter });
    const logger = redactingLogger(powertools);
    const cause = new Error("upstream said 503 at https://cdn.example.com/v.mp4?X-Amz-Signature=abc123");
    const error = new Error("copying the video failed", { cause });

    // Act
    logger.error("task step failed unexpectedly; retrying later", { error });

    // Assess
    const [record] = formatter.records;
    expect(record?.message).toBe("task step failed unexpectedly; retrying later");
    expect(record?.error).toMatchObject({
      name: "Error",
      message: "copying the video failed",
      stack: expect.stringContaining("logger.test.ts"),
      cause: {
        name: "Error",
        message: "upstream said 503 at https://cdn.example.com/v.mp4?<redacted>",
        stack: expect.stringContaining("Error: upstream said 503"),
      },
    });
    expect(JSON.stringify(record)).not.toContain("abc123");
  });

  it("puts the Lambda context on every line, and the task id on every line written for a task", () => {
    // Prepare
    const formatter = new KeepingFormatter();
    const powertools = createLogger("poller", "INFO", { logFormatter: formatter });
    const logger = redactingLogger(powertools);
    powertools.addContext(invocation);

    // Act
    logger.info("poller run finished");
    const forTask = logger.forTask("01kfq0task");
    forTask.info("task submitted upstream", { upstreamTaskId: "up-1" });
    forTask.warn("task failed", { code: "upstream_timeout" });

    // Assess: the request id everywhere; the task's id and correlation id on the task's lines only.
    expect(formatter.records).toHaveLength(3);
    for (const record of formatter.records) {
      expect(record.lambdaContext).toMatchObject({ awsRequestId: invocation.awsRequestId });
    }
    const [general, ...taskLines] = formatter.records;
    expect(general).not.toHaveProperty("taskId");
    for (const record of taskLines) {
      expect(record).toMatchObject({ taskId: "01kfq0task", correlation_id: "01kfq0task" });
    }
  });
});
