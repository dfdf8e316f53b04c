import { defineConfig } from "vitest/config";

// The simulator's tests need none of the shared global setup (DynamoDB Local, S3), so they can run alone.
export default defineConfig({
  test: {
    include: ["test/simulator/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
