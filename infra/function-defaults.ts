/**
 * What every function shares: Node 24 on Graviton (arm64 is ~20% cheaper per GB-s than x86_64),
 * bundled by esbuild as ESM (the handlers and their imports are ES modules; SST ships the bundle
 * as <file>.mjs). SST leaves bundles unminified unless asked; minified bundles are smaller to
 * upload and faster to load on a cold start.
 */
export const functionDefaults = {
  runtime: "nodejs24.x",
  architecture: "arm64",
  nodejs: { format: "esm", minify: true },
} as const;
