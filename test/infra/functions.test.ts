import path from "node:path";
import { describe, expect, it } from "vitest";
import { deployShell, synthesize } from "./support/synthesize.js";
import { functionFor, handlers, queueOf, settingsOf } from "./support/topology.js";

/** Memory (MB) and timeout (s) per function; infra/ explains each choice next to it. */
const sizing = {
  api: { memory: 1024, timeout: 60 },
  poller: { memory: 512, timeout: 110 },
  ingest: { memory: 512, timeout: 60 },
  notify: { memory: 256, timeout: 30 },
} as const;

/** Time a function needs around its one slow outside call: DynamoDB, S3 writes, a cold start. */
const marginMs = 5_000;

const names = Object.keys(handlers) as (keyof typeof handlers)[];

describe("every function", () => {
  it.each(names)("%s runs Node 24 on arm64 from a minified ESM bundle", async (name) => {
    const deployed = functionFor(await synthesize(), handlers[name]);
    expect(deployed.lambda.inputs.runtime).toBe("nodejs24.x");
    expect(deployed.lambda.inputs.architectures).toEqual(["arm64"]);
    expect(deployed.built.properties).toMatchObject({ minify: true, architecture: "arm64" });
    // Built as SST builds it: ESM, shipped as <file>.mjs so that Node loads it as a module.
    expect(deployed.built.format).toBe("esm");
    expect(path.basename(deployed.built.outfile)).toBe(`${name}.mjs`);
    expect(deployed.lambda.inputs.handler).toBe(`${name}.handler`);
  });

  it.each(names)("%s has the memory and timeout chosen for its work", async (name) => {
    const deployed = functionFor(await synthesize(), handlers[name]);
    expect({ memory: deployed.lambda.inputs.memorySize, timeout: deployed.lambda.inputs.timeout }).toEqual(
      sizing[name],
    );
  });

  it.each(names)(
    "%s gets the non-secret settings, valid for settings.ts, and no secret in clear",
    async (name) => {
      const deployed = functionFor(await synthesize(), handlers[name]);
      const { environment } = deployed;
      expect(environment).toMatchObject({ UPSTREAM: "apiinone", LOG_LEVEL: "INFO" });
      expect(() => new URL(environment.UPSTREAM_BASE_URL ?? "")).not.toThrow();
      // What its cold start parses: a bad value would fail every invocation, caught here instead.
      expect(() => settingsOf(deployed)).not.toThrow();
      // The key travels encrypted in the bundle (Resource.UpstreamApiKey), never as a variable.
      expect(Object.values(environment)).not.toContain(process.env.SST_SECRET_UpstreamApiKey);
      expect(environment).not.toHaveProperty("UPSTREAM_API_KEY");
    },
  );

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

describe("timeouts, against the settings the functions run with (settings.ts defaults)", () => {
  it("let notify finish a webhook call (WEBHOOK_TIMEOUT_MS) and its S3 put", async () => {
    const notify = functionFor(await synthesize(), handlers.notify);
    const settings = settingsOf(notify);
    expect(notify.lambda.inputs.timeout * 1000).toBeGreaterThan(settings.WEBHOOK_TIMEOUT_MS + marginMs);
  });

  it("let the api stage a caller's image URL, then wait out the inline first upstream try", async () => {
    const api = functionFor(await synthesize(), handlers.api);
    const settings = settingsOf(api);
    expect(api.lambda.inputs.timeout * 1000).toBeGreaterThan(
      settings.IMAGE_DOWNLOAD_TIMEOUT_MS + settings.UPSTREAM_TIMEOUT_MS + marginMs,
    );
  });

  it("let ingest wait out a batch's inline first upstream tries (a server-side copy, no download)", async () => {
    const ingest = functionFor(await synthesize(), handlers.ingest);
    const settings = settingsOf(ingest);
    expect(ingest.lambda.inputs.timeout * 1000).toBeGreaterThan(settings.UPSTREAM_TIMEOUT_MS + marginMs);
  });

  it("let the poller sweep POLLER_RUN_MS and still have POLLER_SAFETY_MS for a copy in flight", async () => {
    const poller = functionFor(await synthesize(), handlers.poller);
    const settings = settingsOf(poller);
    expect(poller.lambda.inputs.timeout * 1000).toBeGreaterThanOrEqual(
      settings.POLLER_RUN_MS + settings.POLLER_SAFETY_MS,
    );
    // The sweep ends before the next tick's run would double its work.
    expect(settings.POLLER_RUN_MS).toBeLessThanOrEqual(60_000);
  });

  it("let a poller step begun as the sweep ends finish: a URL image's download, then the create", async () => {
    const poller = functionFor(await synthesize(), handlers.poller);
    const settings = settingsOf(poller);
    expect(poller.lambda.inputs.timeout * 1000 - settings.POLLER_RUN_MS).toBeGreaterThan(
      settings.IMAGE_DOWNLOAD_TIMEOUT_MS + settings.UPSTREAM_TIMEOUT_MS + marginMs,
    );
  });

  it("are all shorter than a task's lease (LEASE_MS), so a lease never runs out under a live invocation", async () => {
    const synthesis = await synthesize();
    for (const name of names) {
      const deployed = functionFor(synthesis, handlers[name]);
      expect(settingsOf(deployed).LEASE_MS, name).toBeGreaterThan(deployed.lambda.inputs.timeout * 1000);
    }
  });

  it("keep an inbox message hidden for longer than ingest can hold it", async () => {
    const synthesis = await synthesize();
    const ingest = functionFor(synthesis, handlers.ingest);
    expect(queueOf(synthesis, "Inbox").inputs.visibilityTimeoutSeconds).toBeGreaterThan(
      ingest.lambda.inputs.timeout,
    );
  });
});

describe("the drop folder's settings", () => {
  it("go to ingest alone", async () => {
    const synthesis = await synthesize();
    for (const name of ["api", "poller", "notify"] as const) {
      const { environment } = functionFor(synthesis, handlers[name]);
      expect(
        Object.keys(environment).filter((key) => key.startsWith("INBOX_")),
        name,
      ).toEqual([]);
    }
  });

  it("name the fixed tenant `inbox` as owner when DEPLOY_INBOX_TENANT_ID is not set", async () => {
    const { environment } = functionFor(await synthesize(), handlers.ingest);
    expect(environment.INBOX_TENANT_ID).toBe("inbox");
  });

  it("pass DEPLOY_INBOX_* through when set, and leave the others to settings.ts", async () => {
    // Prepare: the synthesis ran with DEPLOY_INBOX_DEFAULT_PROMPT and DEPLOY_INBOX_MAX_BYTES set.
    const ingest = functionFor(await synthesize(), handlers.ingest);

    // Act
    const settings = settingsOf(ingest);

    // Assess
    expect(ingest.environment).toMatchObject({
      INBOX_DEFAULT_PROMPT: deployShell.DEPLOY_INBOX_DEFAULT_PROMPT,
      INBOX_MAX_BYTES: deployShell.DEPLOY_INBOX_MAX_BYTES,
    });
    for (const unset of ["INBOX_DEFAULT_MODEL", "INBOX_DEFAULT_DURATION", "INBOX_DEFAULT_RESOLUTION"]) {
      expect(ingest.environment).not.toHaveProperty(unset);
    }
    expect(settings.INBOX_MAX_BYTES).toBe(Number(deployShell.DEPLOY_INBOX_MAX_BYTES));
    expect(settings.INBOX_DEFAULT_DURATION).toBe("6");
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

describe("the api's public URL", () => {
  it("reaches the poller, ingest and notify from the api's Function URL, so their tasks get push and content_url", async () => {
    const synthesis = await synthesize();
    const apiUrl = String(synthesis.outputs.api).replace(/\/+$/, "");
    expect(apiUrl).toMatch(/^https:\/\/.+\.lambda-url\./);
    for (const name of ["poller", "ingest", "notify"] as const) {
      expect(functionFor(synthesis, handlers[name]).environment.PUBLIC_BASE_URL, name).toBe(apiUrl);
    }
    // The api reads its own URL from its requests (handlers/api.ts): passing it would be a cycle.
    expect(functionFor(synthesis, handlers.api).environment).not.toHaveProperty("PUBLIC_BASE_URL");
  });
});
