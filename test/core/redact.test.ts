import { describe, expect, it } from "vitest";
import { loggable } from "../../functions/config/redact.js";
import { redactSecrets } from "../../functions/core/redact.js";

describe("redactSecrets", () => {
  it.each([
    [
      "https://bucket.s3.amazonaws.com/inputs/01a?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F&X-Amz-Signature=ab12",
      "https://bucket.s3.amazonaws.com/inputs/01a?<redacted>",
    ],
    [
      "the image URL redirects to https://cdn.example.com/a.jpg?token=s3cr3t, which…",
      "the image URL redirects to https://cdn.example.com/a.jpg?<redacted>, which…",
    ],
    [
      "https://d1.cloudfront.net/v.mp4?Expires=1&Signature=abc&Key-Pair-Id=K1",
      "https://d1.cloudfront.net/v.mp4?<redacted>",
    ],
    [
      "https://x.blob.core.windows.net/c/v.mp4?sv=2024&sig=abc",
      "https://x.blob.core.windows.net/c/v.mp4?<redacted>",
    ],
    ["authorization: Bearer sk-live-1234", "authorization: Bearer <redacted>"],
    ["secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "secret whsec_<redacted>"],
  ])("takes the secret out of %s", (text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it("leaves URLs whose query carries no credential as they are", () => {
    const text = "https://images.example.com/cat.jpg?width=640&format=jpeg";
    expect(redactSecrets(text)).toBe(text);
  });
});

describe("loggable", () => {
  it("logs an error as an object with its stack and cause, redacted at every depth", () => {
    const cause = Object.assign(new Error("GET https://b.s3.amazonaws.com/k?X-Amz-Signature=ff failed"), {
      code: "E1",
    });
    const error = new TypeError("fetch failed", { cause });

    const logged = loggable({ error, when: "now" }) as { error: Record<string, unknown> };

    expect(logged.error).toMatchObject({
      name: "TypeError",
      message: "fetch failed",
      stack: expect.stringContaining("TypeError: fetch failed"),
      cause: { name: "Error", code: "E1", message: "GET https://b.s3.amazonaws.com/k?<redacted> failed" },
    });
    expect(JSON.stringify(logged)).not.toContain("X-Amz-Signature");
  });
});
