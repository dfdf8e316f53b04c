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

  it("refuses UPSTREAM=minimax without its key, and maps sub-models to MiniMax models by a table", () => {
    expect(problemsOf({ ...minimal, UPSTREAM: "minimax" })).toContain("MINIMAX_API_KEY: required");
    const settings = parseSettings({
      ...minimal,
      UPSTREAM: "minimax",
      MINIMAX_API_KEY: "mm-1",
      MINIMAX_MODEL_MAP: '{"standard":"MiniMax-Hailuo-02"}',
    });
    expect(settings.environment).toMatchObject({
      MINIMAX_BASE_URL: "https://api.minimax.io",
      MINIMAX_MODEL_MAP: {
        "hailuo/2-3-image-to-video-standard": "MiniMax-Hailuo-02",
        "hailuo/2-3-image-to-video-pro": "MiniMax-Hailuo-2.3",
      },
    });
    expect(problemsOf({ ...minimal, MINIMAX_MODEL_MAP: '{"ultra":"x"}' })).toContain(
      'MINIMAX_MODEL_MAP names an unknown sub-model "ultra"',
    );
    expect(problemsOf({ ...minimal, MINIMAX_MODEL_MAP: "{" })).toContain(
      "MINIMAX_MODEL_MAP must be a JSON object",
    );
  });

  it("turns push on only with PUBLIC_BASE_URL", () => {
    const base = { ...minimal, UPSTREAM: "simulator" };
    expect(parseSettings(base).core.publicBaseUrl).toBeUndefined();
    expect(parseSettings({ ...base, PUBLIC_BASE_URL: "https://gw.example.com" }).core.publicBaseUrl).toBe(
      "https://gw.example.com",
    );
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
