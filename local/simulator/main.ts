import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { startSimulator } from "./create-simulator.js";
import { faultKnobsFrom, faultKnobsSchema } from "./fault-knobs.js";
import type { SimulatorOptions } from "./simulator-options.js";

const rate = z.coerce.number().min(0).max(1);

const environmentSchema = z
  .object({
    SIM_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    SIM_GENERATION_MS: z.coerce.number().int().min(0).optional(),
    SIM_FAILURE_RATE: rate.optional(),
    SIM_ERROR_RATE: rate.optional(),
    SIM_LATENCY_MS: z.coerce.number().int().min(0).optional(),
    SIM_RPM: z.coerce.number().int().min(0).optional(),
    SIM_RPM_WINDOW_MS: z.coerce.number().int().positive().optional(),
    SIM_DATA_DIR: z.string().min(1).optional(),
    SIM_API_KEY: z.string().min(1).optional(),
    SIM_REUSE_RENDERS: z.enum(["true", "false", "1", "0"]).optional(),
  })
  .extend(faultKnobsSchema.shape);

/** The simulator's settings from `SIM_*` variables; throws naming every bad field. */
export const simulatorOptionsFromEnv = (env: Record<string, string | undefined>): SimulatorOptions => {
  const parsed = environmentSchema.safeParse(
    Object.fromEntries(
      Object.entries(env).filter(([name, value]) => name.startsWith("SIM_") && value !== ""),
    ),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`invalid simulator settings: ${problems.join("; ")}`);
  }
  const settings = parsed.data;
  const faults = faultKnobsFrom(settings);
  const anyFault = Object.values(faults).some((value) => value !== undefined);
  return {
    ...(anyFault ? { faults } : {}),
    ...(settings.SIM_DOWNLOAD_TTL_MS ? { downloadTtlMs: settings.SIM_DOWNLOAD_TTL_MS } : {}),
    port: settings.SIM_PORT,
    generationMs: settings.SIM_GENERATION_MS,
    failureRate: settings.SIM_FAILURE_RATE,
    errorRate: settings.SIM_ERROR_RATE,
    latencyMs: settings.SIM_LATENCY_MS,
    rpm: settings.SIM_RPM,
    rpmWindowMs: settings.SIM_RPM_WINDOW_MS,
    dataDir: settings.SIM_DATA_DIR,
    apiKey: settings.SIM_API_KEY,
    reuseRenders:
      settings.SIM_REUSE_RENDERS === undefined
        ? undefined
        : ["true", "1"].includes(settings.SIM_REUSE_RENDERS),
  };
};

// Importing this module (for simulatorOptionsFromEnv) must not start a server.
const isEntryPoint =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);

if (isEntryPoint) {
  const simulator = await startSimulator({
    ...simulatorOptionsFromEnv(process.env),
    logger: (line) => console.log(`[simulator] ${line}`),
  });
  console.log(simulator.url);
  const stop = async (): Promise<void> => {
    await simulator.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
