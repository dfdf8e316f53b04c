import { createRequire } from "node:module";
import path from "node:path";

/** The repository root and SST's installed platform (infra/scripts/ensure-platform.mjs puts it there). */
export const root = path.resolve(import.meta.dirname, "../../..");
export const platformDir = path.join(root, ".sst", "platform");

/** Loads esbuild and @pulumi/pulumi from the platform, the very copies SST's components use. */
export const requireFromPlatform = createRequire(path.join(platformDir, "package.json"));

type EsbuildMessage = { text: string; location?: { file: string; line: number } | null };
export type EsbuildResult = {
  errors: EsbuildMessage[];
  metafile?: { outputs: Record<string, { bytes: number; exports: string[]; entryPoint?: string }> };
};
export type Esbuild = { build(options: Record<string, unknown>): Promise<EsbuildResult> };

export const esbuild = requireFromPlatform("esbuild") as Esbuild;
