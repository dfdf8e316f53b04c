import { describe, expect, it } from "vitest";
import {
  classifyFailure,
  classifyNetworkError,
  upstreamMessage,
} from "../../functions/adapters/upstream/classify-response.js";
import {
  UpstreamAmbiguousError,
  UpstreamPermanentError,
  UpstreamRetryableError,
} from "../../functions/core/errors.js";

describe("classifyFailure", () => {
  it.each([429, 408, 500, 502, 503, 504])("makes HTTP %i retryable", (status) => {
    expect(classifyFailure(status, undefined, null)).toBeInstanceOf(UpstreamRetryableError);
  });

  it("carries Retry-After on a retryable failure", () => {
    expect(classifyFailure(429, { error: { message: "slow down" } }, "3")).toMatchObject({
      retryAfterMs: 3_000,
      message: "upstream 429: slow down",
    });
  });

  it.each([
    [400, "upstream_rejected"],
    [401, "upstream_auth_failed"],
    [402, "upstream_insufficient_balance"],
    [403, "upstream_auth_failed"],
    [404, "upstream_task_lost"],
    [413, "upstream_rejected"],
    [422, "upstream_rejected"],
    [418, "upstream_rejected"],
  ])("makes HTTP %i permanent with code %s", (status, code) => {
    const error = classifyFailure(status, undefined, null);

    expect(error).toBeInstanceOf(UpstreamPermanentError);
    expect(error).toMatchObject({ code, message: `the upstream answered HTTP ${status}` });
  });

  it("recognises a moderation refusal by its message, whatever the status", () => {
    const error = classifyFailure(
      400,
      { error: { message: "Input image contains sensitive content" } },
      null,
    );

    expect(error).toMatchObject({ code: "content_moderation" });
  });
});

describe("upstreamMessage", () => {
  it("reads error.message, a string error, or a message other than success", () => {
    expect(upstreamMessage({ error: { message: "bad image" } })).toBe("bad image");
    expect(upstreamMessage({ error: "bad image" })).toBe("bad image");
    expect(upstreamMessage({ code: 400, message: "bad image" })).toBe("bad image");
    expect(upstreamMessage({ code: 200, message: "success" })).toBeUndefined();
    expect(upstreamMessage("not an object")).toBeUndefined();
  });
});

describe("classifyNetworkError", () => {
  it("says a timeout timed out, and anything else is unreachable", () => {
    const timeout = new DOMException("The operation was aborted due to timeout", "TimeoutError");

    expect(classifyNetworkError(timeout).message).toBe("upstream timed out");
    expect(classifyNetworkError(new TypeError("fetch failed")).message).toBe(
      "upstream unreachable (fetch failed)",
    );
  });
});

describe("a create's failures", () => {
  it("calls a 5xx after the create was sent ambiguous: the upstream may have started it", () => {
    expect(classifyFailure(502, undefined, null, "create")).toBeInstanceOf(UpstreamAmbiguousError);
    expect(classifyFailure(502, undefined, null, "read")).not.toBeInstanceOf(UpstreamAmbiguousError);
    expect(classifyFailure(429, undefined, null, "create")).not.toBeInstanceOf(UpstreamAmbiguousError);
  });

  it("calls a timeout or a reset ambiguous, and a refused connection not (nothing was sent)", () => {
    const timeout = new DOMException("no answer", "TimeoutError");
    const reset = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNRESET" } });
    const refused = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
    expect(classifyNetworkError(timeout, "create")).toBeInstanceOf(UpstreamAmbiguousError);
    expect(classifyNetworkError(reset, "create")).toBeInstanceOf(UpstreamAmbiguousError);
    expect(classifyNetworkError(refused, "create")).not.toBeInstanceOf(UpstreamAmbiguousError);
    expect(classifyNetworkError(reset, "read")).not.toBeInstanceOf(UpstreamAmbiguousError);
  });
});
