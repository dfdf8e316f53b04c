import { describe, expect, it } from "vitest";
import { backoffDelay, retryDelay, webhookRetryDelay } from "../../functions/core/backoff.js";
import { InternalError } from "../../functions/core/errors.js";
import { priceOf } from "../../functions/core/pricing.js";

describe("the credit price table", () => {
  it("charges the public price list", () => {
    const standard = "hailuo/2-3-image-to-video-standard" as const;
    const pro = "hailuo/2-3-image-to-video-pro" as const;
    expect(priceOf({ model: standard, duration: "6", resolution: "768P" })).toBe(30);
    expect(priceOf({ model: standard, duration: "10", resolution: "768P" })).toBe(45);
    expect(priceOf({ model: standard, duration: "6", resolution: "1080P" })).toBe(45);
    expect(priceOf({ model: pro, duration: "6", resolution: "768P" })).toBe(45);
    expect(priceOf({ model: pro, duration: "10", resolution: "768P" })).toBe(65);
    expect(priceOf({ model: pro, duration: "6", resolution: "1080P" })).toBe(85);
  });

  it("refuses a combination it has no price for", () => {
    expect(() =>
      priceOf({ model: "hailuo/2-3-image-to-video-pro", duration: "10", resolution: "1080P" }),
    ).toThrow(InternalError);
  });
});

describe("backoff", () => {
  const policy = { baseMs: 1_000, capMs: 60_000 };

  it("grows exponentially between half and all of its ceiling", () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 1)).toBe(1_000);
    expect(backoffDelay(4, policy, () => 0)).toBe(4_000);
    expect(backoffDelay(4, policy, () => 1)).toBe(8_000);
  });

  it("is capped", () => {
    expect(backoffDelay(30, policy, () => 1)).toBe(60_000);
    expect(backoffDelay(30, policy, () => 0)).toBe(30_000);
  });

  it("honours a longer Retry-After, within reason", () => {
    expect(retryDelay(1, policy, 20_000, () => 0)).toBe(20_000);
    expect(retryDelay(1, policy, 10, () => 0)).toBe(500);
    expect(retryDelay(1, policy, 10 * 3_600_000, () => 0)).toBe(240_000);
  });

  it("retries webhooks on the contract's schedule, then gives up after about three days", () => {
    expect(webhookRetryDelay(1)).toBe(5_000);
    expect(webhookRetryDelay(2)).toBe(5 * 60_000);
    expect(webhookRetryDelay(3)).toBe(30 * 60_000);
    expect(webhookRetryDelay(1, 60_000)).toBe(60_000);
    expect(webhookRetryDelay(1, 999_999_999_000)).toBe(24 * 3_600_000);
    let total = 0;
    let attempt = 1;
    for (let delay = webhookRetryDelay(attempt); delay !== undefined; delay = webhookRetryDelay(++attempt)) {
      total += delay;
    }
    expect(total / 3_600_000).toBeGreaterThan(60);
    expect(total / 3_600_000).toBeLessThan(80);
  });
});
