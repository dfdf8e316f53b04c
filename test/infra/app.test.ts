import { describe, expect, it } from "vitest";
import { synthesize } from "./support/synthesize.js";

describe("the app's settings per stage", () => {
  it("retain and protect prod: its table and bucket outlive `sst remove`, which it refuses", async () => {
    const { app } = await synthesize();
    expect(app({ stage: "prod" })).toMatchObject({ removal: "retain", protect: true });
  });

  it.each(["dev", "staging", "alice"])("remove everything of the %s stage, unprotected", async (stage) => {
    const { app } = await synthesize();
    expect(app({ stage })).toMatchObject({ removal: "remove", protect: false });
  });

  it.each(["prod", "dev"])("deploy %s to AWS in us-east-1", async (stage) => {
    const { app } = await synthesize();
    expect(app({ stage })).toMatchObject({
      name: "hailuo-gateway",
      home: "aws",
      providers: { aws: { region: "us-east-1" } },
    });
  });
});
