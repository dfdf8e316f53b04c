import type { Deps } from "../core/deps.js";
import { buildDeps } from "./build-deps.js";
import { linkedEnvironment } from "./linked-resources.js";
import { parseSettings, type Settings } from "./settings.js";

/** Settings and dependencies of one Lambda function, built once per container at module scope. */
export function loadRuntime(serviceName: string): { settings: Settings; deps: Deps } {
  const settings = parseSettings({ ...process.env, ...linkedEnvironment() });
  return { settings, deps: buildDeps(settings, { serviceName }) };
}
