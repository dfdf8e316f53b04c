// Installs SST's platform (.sst/platform: its components as TypeScript, with their dependencies)
// without the network: `sst install` normally also fetches Pulumi and Bun, which these flags skip.
// Skipped when it is already there, so the checks take seconds after the first run.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const marker = path.join(root, ".sst/platform/config.d.ts");

if (existsSync(marker)) process.exit(0);

console.log("installing SST's platform into .sst/platform (once, ~30 s)…");
const result = spawnSync("npx", ["sst", "install", "--stage", "dev"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, SST_NO_BUN: "1", SST_SKIP_DEPENDENCY_CHECK: "1", SST_TELEMETRY_DISABLED: "1" },
});
if (result.status !== 0 || !existsSync(marker)) {
  console.error(`sst install failed (exit ${result.status}); ${marker} is missing`);
  process.exit(1);
}
