import { describe, expect, it } from "vitest";
import { parseSettings, SettingsError } from "../../functions/config/settings.js";
import { defaultPriceTable } from "../../functions/core/pricing.js";

const minimal = { TABLE_NAME: "tasks", BUCKET: "media", UPSTREAM_BASE_URL: "https://apiin.one" };

function problemsOf(source: Record<string, string>): string {
  try {
    parseSettings(source);
  } catch (error) {
    if (error instanceof SettingsError) return error.message;
    throw error;
  }
  throw new Error("the settings were accepted");
}

describe("parseSettings", () => {
  it("takes a minimal simulator configuration with every default", () => {
    const settings = parseSettings({ ...minimal, UPSTREAM: "simulator" });

    expect(settings.environment).toMatchObject({ POLL_BATCH_LIMIT: 100, ALLOW_PRIVATE_URLS: false });
    expect(settings.core).toMatchObject({ allowPrivateUrls: false, imageFetchAttempts: 5 });
  });

  it("refuses the real upstream without its API key, naming the variable", () => {
    expect(problemsOf({ ...minimal, UPSTREAM: "apiinone" })).toContain("UPSTREAM_API_KEY: required");
    expect(parseSettings({ ...minimal, UPSTREAM_API_KEY: "sk-1" }).environment.UPSTREAM).toBe("apiinone");
  });

  it("refuses drop-folder defaults that would reject every image, naming the variable", () => {
    const base = { ...minimal, UPSTREAM: "simulator" };

    expect(problemsOf({ ...base, INBOX_DEFAULT_DURATION: "7" })).toContain(
      'INBOX_DEFAULT_DURATION: duration must be "6" or "10"',
    );
    expect(problemsOf({ ...base, INBOX_DEFAULT_MODEL: "hailuo-02" })).toContain("INBOX_DEFAULT_MODEL: model");
    expect(problemsOf({ ...base, INBOX_DEFAULT_PROMPT: "" })).toContain("INBOX_DEFAULT_PROMPT");
  });

  it("lists every bad variable at once", () => {
    const message = problemsOf({ BUCKET: "media", POLL_BATCH_LIMIT: "-3" });

    expect(message).toContain("TABLE_NAME");
    expect(message).toContain("UPSTREAM_BASE_URL");
    expect(message).toContain("POLL_BATCH_LIMIT");
  });

  it("takes a complete PRICE_TABLE and refuses one that lacks a model or a combination, naming it", () => {
    const base = { ...minimal, UPSTREAM: "simulator" };
    const { "hailuo/2-3-image-to-video-pro": pro, ...standardOnly } = defaultPriceTable;
    const cheaper = { ...defaultPriceTable, "hailuo/2-3-image-to-video-pro": { ...pro, "6s-768P": 40 } };
    const { "10s-768P": _dropped, ...proWithoutTenSeconds } = pro;

    expect(parseSettings({ ...base, PRICE_TABLE: JSON.stringify(cheaper) }).core.priceTable).toEqual(cheaper);
    expect(problemsOf({ ...base, PRICE_TABLE: JSON.stringify(standardOnly) })).toContain(
      "PRICE_TABLE: hailuo/2-3-image-to-video-pro: required",
    );
    expect(
      problemsOf({
        ...base,
        PRICE_TABLE: JSON.stringify({
          ...standardOnly,
          "hailuo/2-3-image-to-video-pro": proWithoutTenSeconds,
        }),
      }),
    ).toContain("PRICE_TABLE: hailuo/2-3-image-to-video-pro.10s-768P: required");
    expect(problemsOf({ ...base, PRICE_TABLE: '{"hailuo/2-3-image-to-video-standard": ' })).toContain(
      "PRICE_TABLE: must be JSON",
    );
  });
});
