import { describe, expect, it } from "vitest";
import { decodeS3EventKey, encodeS3EventKey } from "../../functions/adapters/s3/s3-event-keys.js";
import { matchesRule } from "../../local/servers/s3-notification-rule.js";

describe("encodeS3EventKey", () => {
  it("form-encodes each segment and keeps the slashes, as S3 event records do", () => {
    expect(encodeS3EventKey("inbox/my photo+1 é.jpg")).toBe("inbox/my+photo%2B1+%C3%A9.jpg");
    expect(encodeS3EventKey("red flower.jpg")).toBe("red+flower.jpg");
    expect(encodeS3EventKey("logs/dt=2018-05-04/10:47:07.log")).toBe("logs/dt%3D2018-05-04/10%3A47%3A07.log");
  });

  it("escapes what form encoding escapes but encodeURIComponent leaves alone", () => {
    expect(encodeS3EventKey("a(1)!'~*-_.b")).toBe("a%281%29%21%27%7E*-_.b");
  });

  it("round-trips through the decoding every S3 consumer does", () => {
    const keys = [
      "inbox/my photo+1 é.jpg",
      "a/b/c/d/e f/+/%20/日本語 ファイル.png",
      "outputs/01J.mp4",
      "x&y=z?#.json",
    ];
    for (const key of keys) {
      const encoded = encodeS3EventKey(key);
      expect(decodeURIComponent(encoded.replace(/\+/g, " "))).toBe(key);
      expect(decodeS3EventKey(encoded)).toBe(key);
    }
  });
});

describe("matchesRule", () => {
  it("accepts every key when the rule has no filter", () => {
    expect(matchesRule({}, "anything/at all")).toBe(true);
  });

  it("needs both the prefix and the suffix, case-sensitively", () => {
    const rule = { prefix: "outputs/", suffix: ".mp4" };
    expect(matchesRule(rule, "outputs/task.mp4")).toBe(true);
    expect(matchesRule(rule, "outputs/task.json")).toBe(false);
    expect(matchesRule(rule, "inbox/task.mp4")).toBe(false);
    expect(matchesRule(rule, "outputs/task.MP4")).toBe(false);
  });

  it("tests the decoded key, so a space in the prefix matches a space", () => {
    expect(matchesRule({ prefix: "my inbox/" }, "my inbox/photo.jpg")).toBe(true);
  });
});
