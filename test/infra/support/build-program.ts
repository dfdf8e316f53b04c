import { readFileSync } from "node:fs";
import path from "node:path";
import { esbuild, platformDir, root } from "./platform.js";

export const appName = "hailuo-gateway";
export const stage = "test";

/**
 * Bundles sst.config.ts the way the SST CLI does before a deploy (pkg/project/run.go, pkg/js/js.go in
 * SST 4.17.1): `$app`, `$cli` and `$dev` defined, the platform's run shim injected, and `sst` and
 * `aws` in scope of every project file. Written inside .sst/platform so its imports resolve there.
 */
export async function buildProgram(): Promise<string> {
  const outfile = path.join(platformDir, `sst.config.${process.pid}.test.mjs`);
  const app = {
    name: appName,
    stage,
    removal: "remove",
    protect: false,
    home: "aws",
    providers: { aws: { region: "us-east-1" } },
  };
  const cli = {
    command: "deploy",
    dev: false,
    paths: {
      home: path.join(root, ".sst", "home"),
      root,
      work: path.join(root, ".sst"),
      platform: platformDir,
    },
    state: { version: {} },
  };
  const globals = [
    `import * as aws from "@pulumi/aws";`,
    `import * as sst from "${path.join(platformDir, "src/components")}";`,
  ].join("\n");
  const result = await esbuild.build({
    stdin: {
      contents: `import config from "${path.join(root, "sst.config.ts")}";\nexport default config;`,
      resolveDir: root,
      sourcefile: "eval.ts",
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    outfile,
    write: true,
    logLevel: "silent",
    mainFields: ["module", "main"],
    nodePaths: [path.join(platformDir, "node_modules")],
    banner: {
      js: [
        `import { createRequire as topLevelCreateRequire } from "module";`,
        "const require = topLevelCreateRequire(import.meta.url);",
        `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url";`,
        "const __filename = topLevelFileUrlToPath(import.meta.url);",
        `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url));`,
      ].join("\n"),
    },
    external: [
      "@pulumi/*",
      "@pulumiverse/*",
      "@sst-provider/*",
      "@aws-sdk/*",
      "undici",
      "esbuild",
      "archiver",
      "glob",
      "vite",
    ],
    define: { $app: JSON.stringify(app), $cli: JSON.stringify(cli), $dev: "false" },
    inject: [path.join(platformDir, "src/shim/run.js")],
    plugins: [
      {
        name: "inject-globals",
        setup(build: {
          onLoad(options: { filter: RegExp }, load: (args: { path: string }) => unknown): void;
        }) {
          build.onLoad({ filter: /\.(js|ts)$/ }, (args) => {
            if (args.path.includes(`${path.sep}.sst${path.sep}`) || args.path.includes("node_modules"))
              return;
            return { contents: `${globals}\n${readFileSync(args.path, "utf8")}`, loader: "ts" };
          });
        },
      },
    ],
  });
  if (result.errors.length > 0) throw new Error(result.errors.map((error) => error.text).join("\n"));
  return outfile;
}
