import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FaultKnobs } from "./fault-knobs.js";

export type SimulatorOptions = {
  /** Port for `startSimulator`; 0 picks a free one. */
  port?: number;
  /** Least time from creation to the end of a generation. */
  generationMs?: number;
  /** Fraction (0..1) of generations that end `failed`. */
  failureRate?: number;
  /** Fraction (0..1) of API calls answered 429 (with Retry-After: 1) or 500, half each. */
  errorRate?: number;
  /** Task creations allowed per window (seed API and MiniMax API together); 0 means no limit. */
  rpm?: number;
  /** The rate limit's window; a minute, as providers count, unless a test shortens it. */
  rpmWindowMs?: number;
  /** Every call is answered this long after it arrives, the simulator's own work included. */
  latencyMs?: number;
  /** Task records (JSON), inputs and MP4s; a simulator restarted on the same folder knows its tasks. */
  dataDir?: string;
  downloadTtlMs?: number;
  /** When set, `Authorization: Bearer <apiKey>` is required; otherwise any non-empty bearer passes. */
  apiKey?: string;
  /** How many ffmpeg renders may run at once; the machine is small. */
  renderConcurrency?: number;
  /**
   * Renders the same image, resolution and duration once and copies that video for later tasks:
   * for load tests, where hundreds of renders would measure ffmpeg rather than the gateway.
   */
  reuseRenders?: boolean;
  random?: () => number;
  logger?: (line: string) => void;
  /** Used to fetch images and post callbacks. */
  fetch?: typeof fetch;
  /** Faults played on purpose (fault-knobs.ts). */
  faults?: FaultKnobs;
};

export type ResolvedSimulatorOptions = Required<Omit<SimulatorOptions, "apiKey" | "port">> & {
  apiKey: string | undefined;
  port: number;
};

const rate = (value: number | undefined, name: string): number => {
  const resolved = value ?? 0;
  if (!(resolved >= 0 && resolved <= 1)) throw new RangeError(`${name} must be between 0 and 1`);
  return resolved;
};

export const resolveSimulatorOptions = (options: SimulatorOptions = {}): ResolvedSimulatorOptions => ({
  port: options.port ?? 0,
  generationMs: options.generationMs ?? 8000,
  failureRate: rate(options.failureRate, "failureRate"),
  errorRate: rate(options.errorRate, "errorRate"),
  latencyMs: options.latencyMs ?? 0,
  rpm: options.rpm ?? 0,
  rpmWindowMs: options.rpmWindowMs ?? 60_000,
  dataDir: options.dataDir ?? mkdtempSync(join(tmpdir(), "hailuo-simulator-")),
  downloadTtlMs: options.downloadTtlMs ?? 60 * 60 * 1000,
  apiKey: options.apiKey,
  renderConcurrency: Math.max(1, options.renderConcurrency ?? 1),
  reuseRenders: options.reuseRenders ?? false,
  random: options.random ?? Math.random,
  logger: options.logger ?? (() => {}),
  fetch: options.fetch ?? globalThis.fetch,
  faults: options.faults ?? {},
});
