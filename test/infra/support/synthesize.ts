import { rmSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { appName, buildProgram, stage } from "./build-program.js";
import { type BuiltFunction, startFakeSstServer } from "./fake-sst-server.js";
import { type Activity, type DeclaredResource, installMocks, pulumi } from "./pulumi-mocks.js";

/** What sst.config.ts's `app()` answers: the settings SST applies before run(). */
export type AppSettings = {
  name: string;
  removal: string;
  protect: boolean;
  home: string;
  providers: { aws?: { region?: string } };
};

export type Synthesis = {
  resources: DeclaredResource[];
  functions: BuiltFunction[];
  outputs: Record<string, unknown>;
  /** The config's own app(), for a stage of the test's choosing. */
  app(input: { stage: string }): AppSettings;
};

type Program = {
  default: { app(input: { stage: string }): AppSettings; run(): Promise<Record<string, unknown>> };
};

/**
 * The deployer's shell for this synthesis: some DEPLOY_* settings set, the others not, so that the
 * tests see both what is passed through and what is left to the defaults. Whatever DEPLOY_* the
 * test runner's own shell has is ignored.
 */
export const deployShell = {
  DEPLOY_INBOX_DEFAULT_PROMPT: "A slow pan across the picture",
  DEPLOY_INBOX_MAX_BYTES: "10485760",
} as const;

function useDeployShell() {
  for (const name of Object.keys(process.env)) if (name.startsWith("DEPLOY_")) delete process.env[name];
  Object.assign(process.env, deployShell);
}

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
  useDeployShell();
  const { declared, activity } = await installMocks(appName, stage);
  const server = await startFakeSstServer(activity);
  const programFile = await buildProgram();
  const watch = { stopped: false };
  try {
    const program = (await import(pathToFileURL(programFile).href)) as Program;
    const synthesis = (async () => {
      // Inside the root stack, as `sst deploy` runs it: stack transformations ($transform) need it.
      let returned: Record<string, unknown> = {};
      await pulumi.runtime.runInPulumiStack(async () => {
        returned = await program.default.run();
      });
      const outputs = await resolveOutputs(returned);
      await untilQuiet(activity);
      const app = (input: { stage: string }) => program.default.app(input);
      return { resources: declared, functions: server.built, outputs, app };
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
