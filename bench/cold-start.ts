import { execFile } from "node:child_process";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build, type Metafile } from "esbuild";
import {
  type BenchContext,
  type Benchmark,
  type BenchOutput,
  median,
  ratioFigure,
  valueFigure,
} from "./harness.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
/** Inside node_modules, so that a bundle with the SDK left external resolves it as the runtime would. */
const outDir = join(root, "node_modules", ".cache", "bench-cold-start");
/** The pinned Node 24 (the `node` devDependency), whatever `node` the shell has. */
const nodeBin = join(root, "node_modules", ".bin", "node");
const runs = Number(process.env.BENCH_COLD_RUNS ?? 20);
const sizeGoalBytes = 400 * 1024;
const initGoalMs = 120;

/** What the Lambda Node 24 runtime ships: AWS SDK v3 (its @smithy parts come with it). */
const runtimeShipped = ["@aws-sdk/*", "@smithy/*"];

/**
 * SST 4.17.1's Node build (pkg/runtime/node/build.go; the same options as
 * test/infra/support/fake-sst-server.ts): ESM as .mjs, node platform, esnext, `module` before
 * `main`, keepNames, the require/__dirname banner, minified as infra/function-defaults.ts asks.
 */
export async function bundle(entry: string, outfile: string, external: string[] = []): Promise<Metafile> {
  const result = await build({
    entryPoints: [entry],
    platform: "node",
    format: "esm",
    target: "esnext",
    bundle: true,
    keepNames: true,
    metafile: true,
    write: true,
    outfile,
    mainFields: ["module", "main"],
    external: ["sharp", "pg-native", ...external],
    minify: true,
    logLevel: "silent",
    banner: {
      js: [
        `import { createRequire as topLevelCreateRequire } from 'module';`,
        "const require = topLevelCreateRequire(import.meta.url);",
        `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
        "const __filename = topLevelFileUrlToPath(import.meta.url)",
        `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
      ].join("\n"),
    },
  });
  return result.metafile;
}

const outputBytes = (metafile: Metafile) =>
  Object.values(metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);

/** Bytes in the output by package (`@scope/name`, `name`, or `project` for our own files). */
function bytesByPackage(metafile: Metafile): Map<string, number> {
  const shares = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const name = match?.[1] ?? "project";
      shares.set(name, (shares.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return shares;
}

/** What a deployed function's environment gives the handler's module scope (settings must parse). */
const initEnvironment = {
  PATH: process.env.PATH ?? "",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_LAMBDA_FUNCTION_NAME: "bench",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1024",
  TABLE_NAME: "bench-tasks",
  BUCKET: "bench-media",
  UPSTREAM: "apiinone",
  UPSTREAM_BASE_URL: "https://apiin.one",
  UPSTREAM_API_KEY: "bench",
  INBOX_TENANT_ID: "inbox",
  LOG_LEVEL: "INFO",
  MAX_BODY_BYTES: "6000000",
};

/** Import + init of `file` in a fresh process: the import's own time (in process) and spawn → exit. */
async function timeImport(file: string): Promise<{ importMs: number; processMs: number }> {
  const script = [
    "const t = performance.now();",
    `await import(${JSON.stringify(pathToFileURL(file).href)});`,
    "process.stdout.write(String(performance.now() - t));",
    "process.exit(0);",
  ].join(" ");
  const startedAt = performance.now();
  const { stdout } = await run(nodeBin, ["--input-type=module", "-e", script], { env: initEnvironment });
  return { importMs: Number(stdout), processMs: performance.now() - startedAt };
}

type Target = { name: string; file: string; bytes: number; group: "handler" | "lever" | "bound" };

async function runColdStart(context: BenchContext): Promise<BenchOutput> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const handlerDir = join(root, "functions", "handlers");
  const handlers = (await readdir(handlerDir)).filter((file) => file.endsWith(".ts")).sort();

  const targets: Target[] = [];
  const empty = join(outDir, "empty.mjs");
  await writeFile(empty, "export {};\n");
  targets.push({ name: "empty ESM module", file: empty, bytes: 10, group: "bound" });

  const shares: Record<string, string | number>[] = [];
  for (const file of handlers) {
    const name = basename(file, ".ts");
    const started = performance.now();
    const metafile = await bundle(join(handlerDir, file), join(outDir, `${name}.mjs`));
    const buildMs = performance.now() - started;
    const external = await bundle(
      join(handlerDir, file),
      join(outDir, `${name}-sdk-external.mjs`),
      runtimeShipped,
    );
    targets.push({ name, file: join(outDir, `${name}.mjs`), bytes: outputBytes(metafile), group: "handler" });
    targets.push({
      name: `${name}, AWS SDK external`,
      file: join(outDir, `${name}-sdk-external.mjs`),
      bytes: outputBytes(external),
      group: "lever",
    });
    const top = [...bytesByPackage(metafile)].sort(([, a], [, b]) => b - a).slice(0, 6);
    shares.push({
      handler: name,
      "bundle KB": outputBytes(metafile) / 1024,
      "build ms": buildMs,
      "largest shares (KB)": top.map(([pkg, bytes]) => `${pkg} ${(bytes / 1024).toFixed(0)}`).join(", "),
    });
    context.progress(`bundled ${name}: ${(outputBytes(metafile) / 1024).toFixed(0)} KB`);
  }

  // The validation lever: one small schema (a create's own fields) with zod's full build and its mini one.
  const zodFull = join(outDir, "zod-full-entry.mjs");
  const zodMini = join(outDir, "zod-mini-entry.mjs");
  await writeFile(
    zodFull,
    `import { z } from "zod";
const schema = z.object({ prompt: z.string().min(1).max(2000), image: z.string().min(1), duration: z.enum(["6", "10"]).optional(), callback_url: z.url().optional() });
export const parsed = schema.safeParse({ prompt: "a", image: "https://example.com/a.jpg" });\n`,
  );
  await writeFile(
    zodMini,
    `import * as z from "zod/mini";
const schema = z.object({ prompt: z.string().check(z.minLength(1), z.maxLength(2000)), image: z.string().check(z.minLength(1)), duration: z.optional(z.enum(["6", "10"])), callback_url: z.optional(z.url()) });
export const parsed = schema.safeParse({ prompt: "a", image: "https://example.com/a.jpg" });\n`,
  );
  const zodRows: Record<string, string | number>[] = [];
  for (const [name, entry] of [
    ["small schema, zod", zodFull],
    ["small schema, zod/mini", zodMini],
  ] as const) {
    const outfile = join(outDir, `${basename(entry, "-entry.mjs")}.mjs`);
    const started = performance.now();
    const metafile = await bundle(entry, outfile);
    zodRows.push({ bundle: name, KB: outputBytes(metafile) / 1024, "build ms": performance.now() - started });
    targets.push({ name, file: outfile, bytes: outputBytes(metafile), group: "lever" });
  }

  // Interleaved, so that the machine's load at any moment falls on every target alike.
  const times = new Map<string, { importMs: number[]; processMs: number[] }>(
    targets.map((target) => [target.name, { importMs: [], processMs: [] }]),
  );
  for (let round = 0; round < runs; round += 1) {
    for (const target of targets) {
      const measured = await timeImport(target.file);
      times.get(target.name)?.importMs.push(measured.importMs);
      times.get(target.name)?.processMs.push(measured.processMs);
    }
    if ((round + 1) % 5 === 0)
      context.progress(`${round + 1}/${runs} rounds of ${targets.length} fresh processes`);
  }
  const medianOf = (name: string, key: "importMs" | "processMs") => median(times.get(name)?.[key] ?? []);
  const emptyProcessMs = medianOf("empty ESM module", "processMs");
  const emptyImportMs = medianOf("empty ESM module", "importMs");

  const figures = targets
    .filter((target) => target.group === "handler")
    .flatMap((target) => [
      valueFigure(`${target.name}: bundle size`, target.bytes / 1024, "KB", "goal", sizeGoalBytes / 1024, {
        at: "most",
        value: sizeGoalBytes / 1024,
      }),
      valueFigure(
        `${target.name}: import + init, median of ${runs}`,
        medianOf(target.name, "importMs"),
        "ms",
        "fresh node + empty ESM module",
        emptyProcessMs,
        { at: "most", value: initGoalMs },
      ),
    ]);
  const levers = targets
    .filter((target) => target.group === "lever")
    .map((target) =>
      ratioFigure(
        `${target.name}: import + init (${(target.bytes / 1024).toFixed(0)} KB)`,
        medianOf(target.name, "importMs"),
        "ms",
        "fresh node + empty ESM module",
        emptyProcessMs,
      ),
    );

  const timing = targets.map((target) => ({
    target: target.name,
    KB: target.bytes / 1024,
    "import + init, median ms": medianOf(target.name, "importMs"),
    "fresh process spawn → exit, median ms": medianOf(target.name, "processMs"),
    "min ms": Math.min(...(times.get(target.name)?.importMs ?? [])),
    "max ms": Math.max(...(times.get(target.name)?.importMs ?? [])),
  }));
  const api = (suffix: string) => targets.find((target) => target.name === `api${suffix}`);
  const apiExternal = api(", AWS SDK external");
  const apiBundle = api("");
  return {
    parameters: { runs, node: nodeBin.replace(root, ""), esbuild: "node_modules/esbuild", minify: true },
    figures: [...figures, ...levers],
    details: {
      "Bundles (as deployed) and their largest shares": shares,
      "Validation build, one small schema": zodRows,
      "Import + init of every target (fresh process each time)": timing,
    },
    notes: [
      `The empty module's own import takes ${emptyImportMs.toFixed(1)} ms in process; a fresh \`node\` that imports it takes ${emptyProcessMs.toFixed(0)} ms from spawn to exit. That is the bound the import + init times are set against: what every cold start pays before our code runs.`,
      apiBundle && apiExternal
        ? `Lever, what the runtime ships: with \`@aws-sdk/*\` and \`@smithy/*\` left to the Lambda runtime the api bundle is ${(apiExternal.bytes / 1024).toFixed(0)} KB instead of ${(apiBundle.bytes / 1024).toFixed(0)} KB, but its import + init is ${medianOf(apiExternal.name, "importMs").toFixed(0)} ms against ${medianOf(apiBundle.name, "importMs").toFixed(0)} ms: the SDK then loads unminified from many files. It also gives up the pinned, tested SDK version for the runtime's, which drifts. Measured here with the SDK resolved from this repository's node_modules (the same version).`
        : "",
      "Lever, validation build (made): the settings, price table and create request schemas are `zod/mini` (functions/core/validation.ts), so the ingest, notify and poller bundles carry about 34 KB of zod instead of 460 KB; the api keeps the full zod for `@hono/zod-openapi`. Lever, undici (made): it is loaded on the first outbound request (functions/adapters/http/guarded-fetch.ts), so its ~530 KB stay in every bundle but are not evaluated at init. What remains over the goals is the AWS SDK (about 450 KB of the bundle, bundled pinned on purpose) and undici's bytes.",
      "Why the goals are out of reach with the AWS SDK in the bundle: each package bundled alone the same way and imported in process (median of 7, measured by hand on this machine at load ≈ 10, an empty module 19 ms): the S3 and DynamoDB clients built 472 ms (S3 alone ≈ 306 ms, DynamoDB with lib-dynamodb ≈ 240 ms), undici 239 ms, full zod 173 ms, hono with `@hono/zod-openapi` 129 ms, Powertools 67 ms, zod/mini 28 ms, hono alone 19 ms, standardwebhooks 20 ms, ipaddr.js 19 ms. By bytes: undici 532 KB, full zod 460 KB, the SDK about 450 KB (`@smithy/core` 149, `client-s3` 104), our code 60–125 KB, hono 43 KB. The DynamoDB client alone is over the 120 ms goal and every handler needs it on every invocation; the SDK also weighs over 400 KB. Lever, the S3 client (made): it loads on first use (functions/adapters/s3/lazy-media-store.ts), which many invocations never reach (an idle sweep, a poll of a running generation, a status read of an unfinished task): 231 → 197 ms for notify, 234 → 211 ms for the poller, 326 → 300 ms for the api in the runs of 2026-12-03 (the DynamoDB client shares most of the SDK's core, so S3's own part is the smaller one).",
      "Where a cold start's time goes (a CPU profile of importing the notify bundle, 2026-12-03, about 250 ms profiled): compiling the 1.2 MB module itself about 72 ms, which only fewer bytes cut; and about 38 ms in Node's own undici, which our code never asks for at init: the SDK's instance-metadata credential provider (@smithy/credential-provider-imds) imports `node:http` as an ES module, and building that import's namespace reads every export of `node:http`, including the getters that load Node's bundled undici for `WebSocket`. A build that resolved Node's built-ins through `require` (esbuild's output as CommonJS, or a plugin mapping them) would spare it; SST's Node build emits ES modules and is kept as deployed.",
    ].filter((note) => note !== ""),
  };
}

export const coldStart: Benchmark = {
  name: "cold-start",
  title: "bundle size and import + init of each Lambda handler",
  knobs: { BENCH_COLD_RUNS: "fresh processes per target (default 20)" },
  about: `
Bundles each handler in \`functions/handlers/\` exactly as SST 4.17.1 deploys it (esbuild from
node_modules, ESM \`.mjs\`, node platform, esnext, \`module\` before \`main\`, keepNames, SST's
require/__dirname banner, minified as \`infra/function-defaults.ts\` asks), then imports each bundle
in ${runs} fresh processes of the pinned Node 24 (\`node_modules/.bin/node\`), with the environment a
deployed function has, and takes the median of the import's own time (module evaluation: settings
parsed, clients and the app built). Beside them, in the same rounds (interleaved), a fresh process
imports an empty ESM module: its spawn → exit time is the bound, node's own start. Goals: bundle
≤ 400 KB, import + init ≤ 120 ms.

Levers measured in the same run: each handler with the AWS SDK left external (the Lambda Node
runtime ships AWS SDK v3), and one small schema bundled with \`zod\` against \`zod/mini\`.
`,
  run: runColdStart,
};
