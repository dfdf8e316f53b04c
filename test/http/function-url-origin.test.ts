import { describe, expect, it } from "vitest";
import { functionUrlOrigin } from "../../functions/http/function-url-origin.js";

describe("functionUrlOrigin", () => {
  it("is https and the host a Function URL event names", () => {
    const event = { requestContext: { domainName: "abc123.lambda-url.us-east-1.on.aws" } };
    expect(functionUrlOrigin(event)).toBe("https://abc123.lambda-url.us-east-1.on.aws");
  });

  it.each([
    ["no event", undefined],
    ["no request context", {}],
    ["no host", { requestContext: {} }],
    ["a host that is not a name", { requestContext: { domainName: "evil.example/path?x=" } }],
    ["a host that is not a string", { requestContext: { domainName: 42 } }],
  ])("is undefined for %s", (_name, event) => {
    expect(functionUrlOrigin(event)).toBeUndefined();
  });
});
