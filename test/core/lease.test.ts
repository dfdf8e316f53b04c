import { describe, expect, it } from "vitest";
import { ConflictError } from "../../functions/core/errors.js";
import { takeLease, takeTurn } from "../../functions/core/lease.js";

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

describe("takeTurn", () => {
  type Turned = { id: string; leaseUntil?: number; turns: number };
  const record: Turned = { id: "r", turns: 0 };
  const saved = (): Promise<Turned> => Promise.resolve({ id: "r", turns: 1 });

  it("takes a due record's turn with one save, and takes no lease", async () => {
    expect(await takeTurn(record, 1_000, 1_000, saved)).toEqual({ id: "r", turns: 1 });
  });

  it("leaves a record before it is due or while a lease holds it; undefined due takes it early", async () => {
    expect(await takeTurn(record, 1_001, 1_000, saved)).toBeUndefined();
    expect(await takeTurn({ ...record, leaseUntil: 1_001 }, undefined, 1_000, saved)).toBeUndefined();
    expect(await takeTurn(record, undefined, 1_000, saved)).toEqual({ id: "r", turns: 1 });
  });

  it("answers not taken when another worker took the turn first, and throws anything else", async () => {
    const lost = (): Promise<Turned> => Promise.reject(new ConflictError("changed"));
    expect(await takeTurn(record, undefined, 1_000, lost)).toBeUndefined();
    const broken = (): Promise<Turned> => Promise.reject(new Error("store down"));
    await expect(takeTurn(record, undefined, 1_000, broken)).rejects.toThrow("store down");
  });
});
