import { defineConfig } from "vitest/config";

/**
 * The offline synthesis of infra/ (npm run test:infra). Kept apart from vitest.config.ts: it needs
 * SST's platform in .sst/platform, and all its files share one synthesis in one process.
 */
export default defineConfig({
  test: {
    include: ["test/infra/**/*.test.ts"],
    pool: "forks",
    poolOptions: { forks: { singleFork: true } },
    isolate: false,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The bundled program and Pulumi load natively from .sst/platform, not through Vite, so that
    // the program sees the very @pulumi/pulumi whose mocks the tests installed.
    server: { deps: { external: [/[\\/]\.sst[\\/]/] } },
  },
});
