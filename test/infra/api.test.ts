import { describe, expect, it } from "vitest";
import { synthesize } from "./support/synthesize.js";
import { functionFor, handlers, resourceTypes, theOne } from "./support/topology.js";

describe("the api's endpoint", () => {
  it("is a public Function URL: the Hono app authenticates every /api/v1 call itself", async () => {
    const synthesis = await synthesize();
    const url = theOne(synthesis, resourceTypes.functionUrl).inputs;
    const api = functionFor(synthesis, handlers.api);
    expect(url.functionName).toBe(api.lambda.inputs.name);
    expect(url.authorizationType).toBe("NONE");
    // Buffered, not streamed: hono/aws-lambda's handle() returns a whole response.
    expect(url.invokeMode).toBe("BUFFERED");
  });
});

describe("the api's throttle", () => {
  it("is a reserved concurrency of 50: a flood on the public URL gets 429s, not the whole account", async () => {
    const api = functionFor(await synthesize(), handlers.api);
    expect(api.lambda.inputs.reservedConcurrentExecutions).toBe(50);
  });

  it("is the api's alone: the other functions draw on the account's unreserved pool", async () => {
    const synthesis = await synthesize();
    for (const handler of [handlers.poller, handlers.ingest, handlers.notify]) {
      expect(
        functionFor(synthesis, handler).lambda.inputs.reservedConcurrentExecutions,
        handler,
      ).toBeUndefined();
    }
  });
});

describe("the stack's outputs", () => {
  it("name the api URL, the bucket and the table", async () => {
    const { outputs } = await synthesize();
    expect(Object.keys(outputs).sort()).toEqual(["api", "bucket", "table"]);
    expect(outputs.api).toMatch(/^https:\/\/.+\.lambda-url\./);
    expect(outputs.bucket).toBeTruthy();
    expect(outputs.table).toMatch(/TasksTable/);
  });
});
