import { describe, expect, it } from "vitest";
import { decodeMetadataValue } from "../../functions/core/inbox/metadata-values.js";
import {
  type InboxDefaults,
  resolveSettings,
  type SettingsLayer,
} from "../../functions/core/inbox/resolve-settings.js";

const defaults: InboxDefaults = {
  prompt: "default prompt",
  model: "hailuo/2-3-image-to-video-standard",
  duration: "6",
  resolution: "768P",
};
const policy = { allowPrivateUrls: false };
const key = "inbox/a/cat.jpg";
const metadata = (values: Record<string, string>): SettingsLayer => ({ kind: "metadata", key, values });
const sidecar = (value: unknown): SettingsLayer => ({
  kind: "sidecar",
  key: "inbox/a/cat.json",
  text: typeof value === "string" ? value : JSON.stringify(value),
});
const folder = (folderKey: string, value: unknown): SettingsLayer => ({
  kind: "folder",
  key: folderKey,
  text: typeof value === "string" ? value : JSON.stringify(value),
});
const fallback: SettingsLayer = { kind: "defaults", values: defaults };

describe("resolveSettings", () => {
  it("falls back to the deployment's defaults", () => {
    const resolved = resolveSettings([metadata({}), fallback], policy);
    expect(resolved).toMatchObject({
      ok: true,
      request: { prompt: "default prompt", duration: "6", resolution: "768P", prompt_optimizer: true },
    });
  });

  it("merges field by field: metadata prompt, sidecar duration, nearest folder model, outer folder resolution", () => {
    const resolved = resolveSettings(
      [
        metadata({ prompt: "from metadata" }),
        sidecar({ prompt: "from sidecar", duration: 10 }),
        folder("inbox/a/_settings.json", { prompt: "from folder", model: "hailuo/2-3-image-to-video-pro" }),
        folder("inbox/_settings.json", {
          model: "hailuo-2-3",
          resolution: "768p",
          callback_url: "https://x.example/hook",
        }),
        fallback,
      ],
      policy,
    );
    expect(resolved).toEqual({
      ok: true,
      request: expect.objectContaining({
        prompt: "from metadata",
        duration: "10",
        model: "hailuo/2-3-image-to-video-pro",
        resolution: "768P",
        callback_url: "https://x.example/hook",
      }),
    });
  });

  it("reads the metadata names S3 hands back (callback-url, prompt-optimizer) and ignores others", () => {
    const resolved = resolveSettings(
      [
        metadata({
          prompt: "p",
          "callback-url": "https://x.example/cb",
          "prompt-optimizer": "false",
          owner: "bob",
        }),
        fallback,
      ],
      policy,
    );
    expect(resolved).toMatchObject({
      ok: true,
      request: { callback_url: "https://x.example/cb", prompt_optimizer: false },
    });
  });

  it("decodes RFC 2047 metadata values, which is how S3 returns non-ASCII text", () => {
    const encoded = `=?UTF-8?B?${Buffer.from("un chat qui bâille").toString("base64")}?=`;
    const resolved = resolveSettings([metadata({ prompt: encoded }), fallback], policy);
    expect(resolved).toMatchObject({ ok: true, request: { prompt: "un chat qui bâille" } });
    expect(decodeMetadataValue("=?utf-8?Q?caf=C3=A9_au_lait?=")).toBe("café au lait");
  });

  it("names the file and the field of a value out of its rule", () => {
    const resolved = resolveSettings([metadata({}), sidecar({ duration: "7" }), fallback], policy);
    expect(resolved).toEqual({
      ok: false,
      problem: {
        source: "the sidecar inbox/a/cat.json",
        field: "duration",
        message: 'duration must be "6" or "10"',
      },
    });
  });

  it("names the file that is not valid JSON", () => {
    const resolved = resolveSettings(
      [metadata({}), folder("inbox/_settings.json", '{"prompt": "unterminated'), fallback],
      policy,
    );
    expect(resolved.ok).toBe(false);
    if (resolved.ok) return;
    expect(resolved.problem.source).toBe("the folder settings inbox/_settings.json");
    expect(resolved.problem.message).toMatch(/^is not valid JSON/);
  });

  it("refuses a settings file that is not an object", () => {
    const resolved = resolveSettings([sidecar(["prompt"]), fallback], policy);
    expect(resolved).toMatchObject({ ok: false, problem: { source: "the sidecar inbox/a/cat.json" } });
  });

  it("names the metadata when a metadata value breaks a rule", () => {
    const resolved = resolveSettings([metadata({ resolution: "4K" }), fallback], policy);
    expect(resolved).toMatchObject({
      ok: false,
      problem: { source: "the metadata of inbox/a/cat.jpg", field: "resolution" },
    });
  });

  it("names where the clashing field came from when layers combine into a forbidden pair", () => {
    const resolved = resolveSettings(
      [sidecar({ duration: "10" }), folder("inbox/_settings.json", { resolution: "1080P" }), fallback],
      policy,
    );
    expect(resolved).toMatchObject({
      ok: false,
      problem: {
        source: "the sidecar inbox/a/cat.json",
        field: "duration",
        message: expect.stringContaining("1080P"),
      },
    });
  });

  it("applies the API's URL policy to callback_url", () => {
    const resolved = resolveSettings([sidecar({ callback_url: "http://127.0.0.1/hook" }), fallback], policy);
    expect(resolved).toMatchObject({ ok: false, problem: { field: "callback_url" } });
    expect(
      resolveSettings([sidecar({ callback_url: "http://127.0.0.1/hook" }), fallback], {
        allowPrivateUrls: true,
      }).ok,
    ).toBe(true);
  });

  it("ignores an image field and unknown fields in a settings file, as the API ignores unknown fields", () => {
    const resolved = resolveSettings(
      [sidecar({ image: "https://elsewhere/x.jpg", colour: "red" }), fallback],
      policy,
    );
    expect(resolved.ok).toBe(true);
  });
});
