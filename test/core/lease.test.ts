import { describe, expect, it } from "vitest";
import { ConflictError } from "../../functions/core/errors.js";
import { takeLease } from "../../functions/core/lease.js";

describe("takeLease", () => {
  const timing = { now: 1_000, leaseMs: 500 };
  type Leased = { id: string; leaseUntil?: number };
  const saved = (leaseUntil: number): Promise<Leased> => Promise.resolve({ id: "r", leaseUntil });

  it("takes a free, due record for leaseMs", async () => {
    expect(await takeLease({ id: "r" }, 1_000, timing, saved)).toEqual({ id: "r", leaseUntil: 1_500 });
  });

  it("leaves a record alone while another lease holds it or before it is due", async () => {
    expect(await takeLease({ id: "r", leaseUntil: 1_001 }, 0, timing, saved)).toBeUndefined();
    expect(await takeLease({ id: "r" }, 1_001, timing, saved)).toBeUndefined();
  });

  it("answers not taken when another worker wrote first, and throws anything else", async () => {
    const lost = (): Promise<Leased> => Promise.reject(new ConflictError("changed"));
    expect(await takeLease({ id: "r" }, undefined, timing, lost)).toBeUndefined();
    const broken = (): Promise<Leased> => Promise.reject(new Error("store down"));
    await expect(takeLease({ id: "r" }, undefined, timing, broken)).rejects.toThrow("store down");
  });
});
