import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../functions/config/build-deps.js";
import { type FirstPollSettings, firstPollNudge } from "../../functions/core/first-poll.js";
import type { FirstPollStore } from "../../functions/core/ports.js";
import { uniqueName } from "../support/aws-clients.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

const settings: FirstPollSettings = { intervalMs: 5_000, maxMs: 300_000, doneShare: 0.1 };
const stillRunning = firstPollNudge(false, settings);
const ended = firstPollNudge(true, settings);

describe("the DynamoDB first-poll store", () => {
  let stack: TestStack;
  let store: FirstPollStore;
  /** Another instance's store (its own cache), as a second api or poller has it. */
  const otherInstance = () =>
    buildDeps(stack.settings, { serviceName: "other", logger: stack.deps.logger }).firstPolls;

  beforeAll(async () => {
    stack = await startTestStack({ simulator: false });
    store = stack.deps.firstPolls;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("knows nothing of a kind never polled, and does not move it down from its start", async () => {
    // Prepare
    const kind = uniqueName("kind");

    // Act
    await store.nudgeEstimate(kind, ended);

    // Assess
    expect(await otherInstance().readEstimate(kind)).toBeUndefined();
  });

  it("adds every nudge of many workers at once, none lost, and shares them with other instances", async () => {
    // Prepare
    const kind = uniqueName("kind");

    // Act: 30 first polls at once, from 3 instances.
    const stores = [store, otherInstance(), otherInstance()];
    await Promise.all(
      Array.from({ length: 30 }, (_, index) => stores[index % 3]?.nudgeEstimate(kind, stillRunning)),
    );

    // Assess
    const expected = Math.log(settings.intervalMs) + 30 * stillRunning.step;
    expect(await otherInstance().readEstimate(kind)).toBeCloseTo(expected, 9);
  });

  it("stops at its bound, and comes down from there at the first ended generation", async () => {
    // Prepare: start just under the cap.
    const kind = uniqueName("kind");
    const nearCap = { ...stillRunning, start: stillRunning.bound - stillRunning.step / 2 };

    // Act
    await store.nudgeEstimate(kind, nearCap);
    await store.nudgeEstimate(kind, nearCap);
    await store.nudgeEstimate(kind, nearCap);
    const atCap = await otherInstance().readEstimate(kind);
    await store.nudgeEstimate(kind, ended);

    // Assess: one step past the start, then no further; then one ended step down.
    expect(atCap).toBeCloseTo(nearCap.start + stillRunning.step, 9);
    expect(await otherInstance().readEstimate(kind)).toBeCloseTo(
      nearCap.start + stillRunning.step + ended.step,
      9,
    );
  });

  it("keeps an instance's own nudges in its cached copy at once", async () => {
    // Prepare: the instance read the estimate (nothing yet), so it holds it for a minute.
    const kind = uniqueName("kind");
    const instance = otherInstance();
    expect(await instance.readEstimate(kind)).toBeUndefined();

    // Act
    await instance.nudgeEstimate(kind, stillRunning);

    // Assess
    expect(await instance.readEstimate(kind)).toBeCloseTo(
      Math.log(settings.intervalMs) + stillRunning.step,
      9,
    );
  });
});
