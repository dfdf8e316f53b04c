/// <reference path="./.sst/platform/config.d.ts" />

export default $config({
  app(input) {
    return {
      name: "hailuo-gateway",
      // Production keeps its table and bucket if the stack is removed; other stages clean up.
      removal: input?.stage === "prod" ? "retain" : "remove",
      protect: input?.stage === "prod",
      home: "aws",
      providers: { aws: { region: "us-east-1" } },
    };
  },
  async run() {
    return {};
  },
});
