import { describe, expect, it } from "vitest";
import { synthesize } from "./support/synthesize.js";
import { functionFor, handlers } from "./support/topology.js";

/** Memory (MB) and timeout (s) per function; infra/ explains each choice next to it. */
const sizing = {
  api: { memory: 1024, timeout: 30 },
  poller: { memory: 512, timeout: 90 },
  ingest: { memory: 512, timeout: 60 },
  notify: { memory: 256, timeout: 30 },
} as const;

const names = Object.keys(handlers) as (keyof typeof handlers)[];

describe("every function", () => {
  it.each(names)("%s runs Node 24 on arm64 from a minified ESM bundle", async (name) => {
    const deployed = functionFor(await synthesize(), handlers[name]);
    expect(deployed.lambda.inputs.runtime).toBe("nodejs24.x");
    expect(deployed.lambda.inputs.architectures).toEqual(["arm64"]);
    expect(deployed.built.properties).toMatchObject({ minify: true, architecture: "arm64" });
    // SST ships the bundle as <file>.mjs: Node loads it as ESM.
    expect(deployed.lambda.inputs.handler).toBe(`${name}.handler`);
  });

  it.each(names)("%s has the memory and timeout chosen for its work", async (name) => {
    const deployed = functionFor(await synthesize(), handlers[name]);
    expect({ memory: deployed.lambda.inputs.memorySize, timeout: deployed.lambda.inputs.timeout }).toEqual(
      sizing[name],
    );
  });

  it.each(names)("%s gets the non-secret settings and no secret in clear", async (name) => {
    const { environment } = functionFor(await synthesize(), handlers[name]);
    expect(environment).toMatchObject({ UPSTREAM: "apiinone", LOG_LEVEL: "INFO" });
    expect(() => new URL(environment.UPSTREAM_BASE_URL ?? "")).not.toThrow();
    expect(environment).toHaveProperty("INBOX_TENANT_ID");
    // The key travels encrypted in the bundle (Resource.UpstreamApiKey), never as a variable.
    expect(Object.values(environment)).not.toContain(process.env.SST_SECRET_UpstreamApiKey);
    expect(environment).not.toHaveProperty("UPSTREAM_API_KEY");
  });

  it("bundles every handler with all its imports resolved, and reports the sizes", async () => {
    const { functions } = await synthesize();
    const sizes = functions.map(
      (built) => `${built.handler.padEnd(36)} ${(built.bundleBytes / 1024).toFixed(0)} KiB`,
    );
    console.log(`bundles (minified ESM):\n  ${sizes.sort().join("\n  ")}`);
    expect(functions.map((built) => built.handler).sort()).toEqual(Object.values(handlers).sort());
    for (const built of functions) {
      expect(built.errors).toEqual([]);
      // Lambda's limit for a zipped upload is 50 MB; stay far below to keep cold starts short.
      expect(built.bundleBytes).toBeLessThan(5 * 1024 * 1024);
    }
  });
});

describe("the api", () => {
  it("refuses bodies above what fits in Lambda's 6 MB synchronous payload", async () => {
    const { environment } = functionFor(await synthesize(), handlers.api);
    const lambdaPayloadBytes = 6 * 1024 * 1024;
    expect(Number(environment.MAX_BODY_BYTES)).toBeLessThan(lambdaPayloadBytes);
    // Leave room for the event's headers and request context around the body.
    expect(lambdaPayloadBytes - Number(environment.MAX_BODY_BYTES)).toBeGreaterThanOrEqual(64 * 1024);
  });
});
