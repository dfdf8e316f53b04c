import { rmSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { appName, buildProgram, stage } from "./build-program.js";
import { type BuiltFunction, startFakeSstServer } from "./fake-sst-server.js";
import { type Activity, type DeclaredResource, installMocks, pulumi } from "./pulumi-mocks.js";

export type Synthesis = {
  resources: DeclaredResource[];
  functions: BuiltFunction[];
  outputs: Record<string, unknown>;
};

type Program = { default: { run(): Promise<Record<string, unknown>> } };

/** Components keep registering resources from `apply` callbacks after run() returns. */
async function untilQuiet(activity: Activity, quietMs = 800, maxMs = 60_000) {
  const start = Date.now();
  while (activity.pending > 0 || Date.now() - activity.last < quietMs) {
    if (Date.now() - start > maxMs) throw new Error("the program kept registering resources for 60 s");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function resolveOutputs(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const names = Object.keys(outputs);
  return new Promise((resolve) => {
    pulumi.all(names.map((name) => outputs[name])).apply((values) => {
      resolve(Object.fromEntries(names.map((name, index) => [name, values[index]])));
    });
  });
}

function buildErrors(built: BuiltFunction[]): Error | undefined {
  const failed = built.filter((function_) => function_.errors.length > 0);
  if (failed.length === 0) return undefined;
  const report = failed.map((function_) => `${function_.handler}:\n  ${function_.errors.join("\n  ")}`);
  return new Error(`a handler did not build:\n${report.join("\n")}`);
}

/**
 * A handler that does not build makes SST's outputs reject inside `apply`, and whatever depends on
 * them never resolves: report the build errors as soon as they appear instead of waiting forever.
 */
function failOnBuildErrors(built: BuiltFunction[], watch: { stopped: boolean }): Promise<never> {
  return new Promise((_resolve, reject) => {
    const check = () => {
      const error = buildErrors(built);
      if (error) return reject(error);
      if (!watch.stopped) setTimeout(check, 100).unref();
    };
    check();
  });
}

async function runProgram(): Promise<Synthesis> {
  // An unset secret fails the run, as `sst deploy` would.
  process.env.SST_SECRET_UpstreamApiKey ??= "test-upstream-key";
  const { declared, activity } = await installMocks(appName, stage);
  const server = await startFakeSstServer(activity);
  const programFile = await buildProgram();
  const watch = { stopped: false };
  try {
    const program = (await import(pathToFileURL(programFile).href)) as Program;
    const synthesis = (async () => {
      const outputs = await resolveOutputs(await program.default.run());
      await untilQuiet(activity);
      return { resources: declared, functions: server.built, outputs };
    })();
    const result = await Promise.race([synthesis, failOnBuildErrors(server.built, watch)]);
    const lateError = buildErrors(server.built);
    if (lateError) throw lateError;
    return result;
  } finally {
    watch.stopped = true;
    server.close();
    rmSync(programFile, { force: true });
  }
}

/**
 * Runs the real `run()` of sst.config.ts under Pulumi's mocks, once per process: Pulumi's mocks
 * are global, and every test file asserts on the same synthesis.
 */
export function synthesize(): Promise<Synthesis> {
  const cache = globalThis as { infraSynthesis?: Promise<Synthesis> };
  cache.infraSynthesis ??= runProgram();
  return cache.infraSynthesis;
}
