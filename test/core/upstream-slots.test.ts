import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { UpstreamProvider, UpstreamTaskState } from "../../functions/core/ports.js";
import { withUpstreamSlots } from "../../functions/core/upstream-slots.js";

/** A provider whose calls stay open until the test answers them, counting how many are open at once. */
function heldProvider() {
  const open: (() => void)[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const held = <T>(value: T) =>
    new Promise<T>((resolve) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      open.push(() => {
        inFlight--;
        resolve(value);
      });
    });
  const provider: UpstreamProvider = {
    name: "held",
    createTask: () => held({ taskId: "t" }),
    getTask: () => held<UpstreamTaskState>({ state: "running" }),
    openVideo: () => held(Readable.from([Buffer.from("video")])),
  };
  /** Lets queued calls reach the provider, answers the oldest open one, and lets its caller go on. */
  const answerOne = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    open.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { provider, answerOne, open: () => open.length, mostInFlight: () => mostInFlight };
}

describe("withUpstreamSlots", () => {
  it("lets no more polls than slots reach the provider at once, and starts the next as one ends", async () => {
    const held = heldProvider();
    const slotted = withUpstreamSlots(held.provider, 2);

    const calls = [slotted.getTask("a"), slotted.getTask("b"), slotted.getTask("c")];
    await new Promise((resolve) => setImmediate(resolve));
    const openBefore = held.open();
    await held.answerOne();
    const openAfter = held.open();
    await held.answerOne();
    await held.answerOne();

    expect(openBefore).toBe(2);
    expect(openAfter).toBe(2);
    expect(held.mostInFlight()).toBe(2);
    expect(await Promise.all(calls)).toEqual([
      { state: "running" },
      { state: "running" },
      { state: "running" },
    ]);
  });

  it("sends a create at once, slots full or not: the pace has counted it in its window", async () => {
    const held = heldProvider();
    const slotted = withUpstreamSlots(held.provider, 1);

    const poll = slotted.getTask("a");
    const create = slotted.createTask({} as never);
    await new Promise((resolve) => setImmediate(resolve));
    const open = held.open();
    await held.answerOne();
    await held.answerOne();

    expect(open).toBe(2);
    expect(await poll).toEqual({ state: "running" });
    expect(await create).toEqual({ taskId: "t" });
  });

  it("holds a video's slot until its stream has been read to the end, or destroyed", async () => {
    const held = heldProvider();
    const slotted = withUpstreamSlots(held.provider, 1);
    const opening = slotted.openVideo("https://videos.example/a.mp4");
    await held.answerOne();
    const video = await opening;

    const poll = slotted.getTask("a");
    await new Promise((resolve) => setImmediate(resolve));
    const openWhileStreaming = held.open();
    const chunks: Buffer[] = [];
    for await (const chunk of video) chunks.push(chunk as Buffer);
    await new Promise((resolve) => setImmediate(resolve));
    const openOnceRead = held.open();
    await held.answerOne();

    expect(openWhileStreaming).toBe(0);
    expect(openOnceRead).toBe(1);
    expect(Buffer.concat(chunks).toString()).toBe("video");
    expect(await poll).toEqual({ state: "running" });

    const second = slotted.openVideo("https://videos.example/b.mp4");
    await held.answerOne();
    (await second).destroy();
    const afterDestroy = slotted.getTask("b");
    await new Promise((resolve) => setImmediate(resolve));
    expect(held.open()).toBe(1);
    await held.answerOne();
    expect(await afterDestroy).toEqual({ state: "running" });
  });

  it("passes a failed open on and frees its slot", async () => {
    const slotted = withUpstreamSlots(
      {
        name: "failing",
        createTask: () => Promise.reject(new Error("no create")),
        getTask: () => Promise.resolve({ state: "running" }),
        openVideo: () => Promise.reject(new Error("gone")),
      },
      1,
    );

    await expect(slotted.openVideo("https://videos.example/a.mp4")).rejects.toThrow("gone");
    expect(await slotted.getTask("a")).toEqual({ state: "running" });
  });
});
