import type { MiddlewareHandler } from "hono";
import { z } from "zod";

/**
 * Faults the simulator plays on purpose, for the fault suite and the soak: creates that answer
 * late (after the task exists), latency spikes, and videos padded to a size of choice.
 */
export type FaultKnobs = {
  /** A create answers this long after its task is created (the caller may have given up by then). */
  createReplyDelayMs?: number;
  /** Only this many creates answer late; all of them when unset. */
  lateCreates?: number;
  /** Share (0..1) of API calls that wait `latencySpikeMs` more. */
  latencySpikeRate?: number;
  latencySpikeMs?: number;
  /** Served videos are padded (an MP4 `free` box at the end) to this many bytes; see padded-video.ts. */
  videoBytes?: number;
};

export type FaultStats = { creates: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts the creates the simulator accepted (each a "paid" generation), and plays the knobs. */
export const createFaults = (knobs: FaultKnobs, random: () => number) => {
  const stats: FaultStats = { creates: 0 };
  const apiFaults: MiddlewareHandler = async (context, next) => {
    const rate = knobs.latencySpikeRate ?? 0;
    if (rate > 0 && random() < rate) await sleep(knobs.latencySpikeMs ?? 0);
    await next();
    const isCreate = context.req.method === "POST" && context.req.path.endsWith("/videos/generations");
    if (!isCreate || context.res.status !== 200) return;
    stats.creates++;
    const late = knobs.lateCreates === undefined || stats.creates <= knobs.lateCreates;
    if (late && (knobs.createReplyDelayMs ?? 0) > 0) await sleep(knobs.createReplyDelayMs ?? 0);
  };
  return { apiFaults, stats: (): FaultStats => ({ ...stats }) };
};

const count = z.coerce.number().int().min(0);

/** The knobs from `SIM_*` variables (see docs/reliability.md). */
export const faultKnobsSchema = z.object({
  SIM_CREATE_REPLY_DELAY_MS: count.optional(),
  SIM_LATE_CREATES: count.optional(),
  SIM_LATENCY_SPIKE_RATE: z.coerce.number().min(0).max(1).optional(),
  SIM_LATENCY_SPIKE_MS: count.optional(),
  SIM_VIDEO_BYTES: count.optional(),
  SIM_DOWNLOAD_TTL_MS: z.coerce.number().int().positive().optional(),
});

export const faultKnobsFrom = (settings: z.output<typeof faultKnobsSchema>): FaultKnobs => ({
  createReplyDelayMs: settings.SIM_CREATE_REPLY_DELAY_MS,
  lateCreates: settings.SIM_LATE_CREATES,
  latencySpikeRate: settings.SIM_LATENCY_SPIKE_RATE,
  latencySpikeMs: settings.SIM_LATENCY_SPIKE_MS,
  videoBytes: settings.SIM_VIDEO_BYTES,
});
