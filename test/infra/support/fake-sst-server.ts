import { existsSync, mkdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { esbuild, root } from "./platform.js";
import type { Activity } from "./pulumi-mocks.js";

/** One handler as SST would ship it: what it links, how it was bundled, and the bundle's size. */
export type BuiltFunction = {
  functionID: string;
  handler: string;
  links: Record<string, Record<string, unknown>>;
  properties: { minify?: boolean; architecture?: string; format?: "esm" | "cjs" };
  /** The module format esbuild wrote, and the file SST would ship (.mjs for ESM, .cjs for CommonJS). */
  format: "esm" | "cjs";
  outfile: string;
  bundleBytes: number;
  errors: string[];
};

type BuildInput = Omit<BuiltFunction, "format" | "outfile" | "bundleBytes" | "errors">;
type BuildOutput = { handler: string; out: string; errors: string[]; sourcemaps: string[] };

const handlerExtensions = [".ts", ".mts", ".js", ".mjs"];

/**
 * Bundles a handler with the options of SST 4.17.1's Node runtime (pkg/runtime/node/build.go): ESM
 * as <file>.mjs unless `nodejs.format` is "cjs" (then CommonJS as <file>.cjs, `main` fields only),
 * node platform, `module` before `main`, the require/__dirname banner, minified when asked. An import
 * that does not resolve, a missing file or a missing export is an error, as it would fail a deploy.
 */
async function bundleHandler(input: BuildInput, built: BuiltFunction[]): Promise<BuildOutput> {
  const out = path.join(root, ".sst", "artifacts", `${input.functionID}-src`);
  const dot = input.handler.lastIndexOf(".");
  const [base, exportName] = [input.handler.slice(0, dot), input.handler.slice(dot + 1)];
  const format = input.properties.format === "cjs" ? "cjs" : "esm";
  const file = handlerExtensions.map((extension) => path.join(root, base + extension)).find(existsSync);
  if (!file) {
    const errors = [`Handler not found: ${input.handler}`];
    built.push({ ...input, format, outfile: "", bundleBytes: 0, errors });
    return { handler: "", out, errors, sourcemaps: [] };
  }

  mkdirSync(out, { recursive: true });
  // Lambda's handler string allows one dot, between the file and the export.
  const fileName = path.basename(file, path.extname(file)).replaceAll(".", "-");
  const outfile = path.join(out, `${fileName}.${format === "esm" ? "mjs" : "cjs"}`);
  const result = await esbuild
    .build({
      entryPoints: [file],
      platform: "node",
      format,
      target: "esnext",
      bundle: true,
      keepNames: true,
      metafile: true,
      write: true,
      outfile,
      mainFields: format === "esm" ? ["module", "main"] : ["main"],
      external: ["sharp", "pg-native"],
      minify: input.properties.minify === true,
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
    })
    .catch((error: { errors?: { text: string; location?: { file: string; line: number } | null }[] }) => ({
      errors: error.errors ?? [{ text: String(error) }],
      metafile: undefined,
    }));
  const errors = result.errors.map((e) =>
    e.location ? `${e.text} (${e.location.file}:${e.location.line})` : e.text,
  );
  const output = Object.values(result.metafile?.outputs ?? {}).find((candidate) => candidate.entryPoint);
  // esbuild lists the exports of ESM output only; a CommonJS bundle fails the format assertion instead.
  if (errors.length === 0 && format === "esm" && !output?.exports.includes(exportName ?? "")) {
    errors.push(`${path.relative(root, file)} does not export "${exportName}"`);
  }
  built.push({ ...input, format, outfile, bundleBytes: output?.bytes ?? 0, errors });
  return { handler: `${fileName}.${exportName}`, out, errors, sourcemaps: [] };
}

/**
 * Stands in for the SST CLI's JSON-RPC server (SST_SERVER), which components call while a program
 * runs: Provider.Aws.Bootstrap (the asset bucket) and Runtime.Build (bundle a handler).
 */
export async function startFakeSstServer(activity: Activity) {
  const built: BuiltFunction[] = [];
  const methods: Record<string, (params: Record<string, unknown>) => Promise<unknown>> = {
    "Provider.Aws.Bootstrap": async ({ region }) => ({
      asset: `sst-asset-test-${region}`,
      assetEcrRegistryId: "123456789012",
      assetEcrUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/sst-asset",
      state: `sst-state-test-${region}`,
      appsyncHttp: "",
      appsyncRealtime: "",
    }),
    "Runtime.Build": async (params) => bundleHandler(params as unknown as BuildInput, built),
  };
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", async () => {
      const { method, params } = JSON.parse(body) as { method: string; params: Record<string, unknown>[] };
      response.setHeader("content-type", "application/json");
      const call = methods[method];
      if (!call) return response.end(JSON.stringify({ error: `rpc: can't find method ${method}` }));
      activity.pending += 1;
      try {
        response.end(JSON.stringify({ result: await call(params[0] ?? {}) }));
      } catch (error) {
        response.end(JSON.stringify({ error: String(error) }));
      } finally {
        activity.pending -= 1;
        activity.last = Date.now();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // A failing program must not leave the test process waiting on this server.
  server.unref();
  process.env.SST_SERVER = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { built, close: () => server.close() };
}
