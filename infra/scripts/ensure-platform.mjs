// Installs SST's platform (.sst/platform: its components as TypeScript, with their dependencies)
// for the offline checks. `sst install` extracts the platform from the CLI itself and npm-installs
// its dependencies from the npm registry; the flags below skip what it would otherwise download
// (Bun, and the Pulumi providers' dependency check). Skipped when the installed platform is the one
// of node_modules/sst's version and complete, so the checks take seconds after the first run.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const platform = path.join(root, ".sst/platform");
const wanted = JSON.parse(readFileSync(path.join(root, "node_modules/sst/package.json"), "utf8")).version;

/** Why the platform must be (re)installed, or undefined when it is usable as it is. */
function problem() {
  const versionFile = path.join(platform, "version");
  if (!existsSync(versionFile)) return "not installed";
  const installed = readFileSync(versionFile, "utf8").trim();
  if (installed !== wanted) return `installed for sst ${installed}, but node_modules/sst is ${wanted}`;
  // The version is written before the dependencies are installed: an interrupted install has it too.
  for (const file of [
    "config.d.ts",
    "node_modules/@pulumi/pulumi/package.json",
    "node_modules/esbuild/package.json",
  ]) {
    if (!existsSync(path.join(platform, file))) return `incomplete (${file} is missing)`;
  }
  return undefined;
}

const before = problem();
if (!before) process.exit(0);

// `sst install` replaces a platform of another version by its own (pkg/project/platform.go).
console.log(`SST's platform in .sst/platform is ${before}: installing sst ${wanted}'s (~30 s)…`);
const result = spawnSync("npx", ["sst", "install", "--stage", "dev"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, SST_NO_BUN: "1", SST_SKIP_DEPENDENCY_CHECK: "1", SST_TELEMETRY_DISABLED: "1" },
});
const after = problem();
if (result.status !== 0 || after) {
  console.error(`sst install failed (exit ${result.status}); the platform is ${after ?? "there"}`);
  process.exit(1);
}
