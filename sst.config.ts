/// <reference path="./.sst/platform/config.d.ts" />

export default $config({
  app(input) {
    return {
      name: "hailuo-gateway",
      // prod keeps its table and bucket when the stack is removed, and cannot be removed by accident.
      removal: input?.stage === "prod" ? "retain" : "remove",
      protect: input?.stage === "prod",
      home: "aws",
      providers: { aws: { region: "us-east-1" } },
    };
  },
  // Imports stay inside run(): SST evaluates the config before its globals (sst, aws, $app) exist.
  async run() {
    const { table, bucket } = await import("./infra/storage");
    const { api } = await import("./infra/api");
    await import("./infra/poller");
    await import("./infra/inbox");
    await import("./infra/notifications");
    return {
      api: api.url,
      bucket: bucket.name,
      table: table.name,
    };
  },
});
