import { describe, expect, it } from "vitest";
import { simulatorOptionsFromEnv } from "../../local/simulator/main.js";

describe("simulatorOptionsFromEnv", () => {
  it("defaults the port to 4010 and leaves the other knobs to the simulator's defaults", () => {
    expect(simulatorOptionsFromEnv({ PATH: "/usr/bin" })).toEqual({
      port: 4010,
      generationMs: undefined,
      failureRate: undefined,
      errorRate: undefined,
      latencyMs: undefined,
      dataDir: undefined,
      apiKey: undefined,
    });
  });

  it("reads every SIM_ knob as its type", () => {
    const options = simulatorOptionsFromEnv({
      SIM_PORT: "0",
      SIM_GENERATION_MS: "1500",
      SIM_FAILURE_RATE: "0.25",
      SIM_ERROR_RATE: "0.1",
      SIM_LATENCY_MS: "40",
      SIM_DATA_DIR: "/tmp/simulator",
      SIM_API_KEY: "key",
    });

    expect(options).toEqual({
      port: 0,
      generationMs: 1500,
      failureRate: 0.25,
      errorRate: 0.1,
      latencyMs: 40,
      dataDir: "/tmp/simulator",
      apiKey: "key",
    });
  });

  it("fails fast naming each bad field", () => {
    expect(() => simulatorOptionsFromEnv({ SIM_FAILURE_RATE: "2", SIM_PORT: "abc" })).toThrow(
      /SIM_PORT.*SIM_FAILURE_RATE|SIM_FAILURE_RATE.*SIM_PORT/,
    );
  });
});
