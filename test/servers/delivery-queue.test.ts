import { describe, expect, it } from "vitest";
import { createDeliveryQueue, retryDelayMs } from "../../local/servers/delivery-queue.js";

const quietOptions = { concurrency: 2, minDelayMs: 5, maxDelayMs: 20, onFailure: () => {} };

describe("retryDelayMs", () => {
  it("doubles per attempt and stays within the cap", () => {
    for (let attempt = 1; attempt <= 12; attempt += 1) {
      const delay = retryDelayMs(attempt, 200, 10_000);
      const ceiling = Math.min(10_000, 200 * 2 ** (attempt - 1));
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });
});

describe("createDeliveryQueue", () => {
  it("retries a failing delivery until it succeeds", async () => {
    const queue = createDeliveryQueue(quietOptions);
    let calls = 0;
    queue.push("flaky", async () => {
      calls += 1;
      if (calls < 4) throw new Error("not yet");
    });
    await queue.idle();
    expect(calls).toBe(4);
    await queue.close();
  });

  it("never runs more deliveries at once than its concurrency", async () => {
    const queue = createDeliveryQueue({ ...quietOptions, concurrency: 3 });
    let running = 0;
    let peak = 0;
    for (let index = 0; index < 20; index += 1) {
      queue.push(`job ${index}`, async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((wake) => setTimeout(wake, 5));
        running -= 1;
      });
    }
    await queue.idle();
    expect(peak).toBe(3);
    await queue.close();
  });

  it("stops retrying once closed", async () => {
    const queue = createDeliveryQueue({ ...quietOptions, minDelayMs: 50, maxDelayMs: 50 });
    let calls = 0;
    queue.push("always failing", async () => {
      calls += 1;
      throw new Error("down");
    });
    await new Promise((wake) => setTimeout(wake, 10));
    await queue.close();
    await new Promise((wake) => setTimeout(wake, 80));
    expect(calls).toBe(1);
    expect(queue.pending).toBe(0);
  });
});
