import { describe, expect, it } from "vitest";
import {
  folderSettingsKeys,
  inboxKeyKind,
  sidecarKeys,
} from "../../functions/core/inbox/settings-locations.js";

describe("inboxKeyKind", () => {
  it("takes every non-JSON key under inbox/ as an image candidate, whatever its name", () => {
    expect(inboxKeyKind("inbox/cat.jpg")).toBe("image");
    expect(inboxKeyKind("inbox/a/b/c/photo without extension")).toBe("image");
    expect(inboxKeyKind("inbox/notes.txt")).toBe("image");
  });

  it("takes sidecars and _settings.json as settings, never as images", () => {
    expect(inboxKeyKind("inbox/a/cat.json")).toBe("settings");
    expect(inboxKeyKind("inbox/a/cat.jpg.json")).toBe("settings");
    expect(inboxKeyKind("inbox/_settings.json")).toBe("settings");
    expect(inboxKeyKind("inbox/a/CAT.JSON")).toBe("settings");
  });

  it("tells desktop tools' own files from photos, by their exact names only", () => {
    for (const key of ["inbox/.DS_Store", "inbox/a/._cat.jpg", "inbox/a/Thumbs.db", "inbox/desktop.ini"]) {
      expect(inboxKeyKind(key), key).toBe("system-file");
    }
    expect(inboxKeyKind("inbox/a/my.DS_Store.jpg")).toBe("image");
    expect(inboxKeyKind("inbox/a/Thumbs.db.png")).toBe("image");
  });

  it("ignores folder markers and keys outside inbox/", () => {
    expect(inboxKeyKind("inbox/a/")).toBe("folder-marker");
    expect(inboxKeyKind("inbox/")).toBe("outside");
    expect(inboxKeyKind("outputs/x.mp4")).toBe("outside");
    expect(inboxKeyKind("inboxes/cat.jpg")).toBe("outside");
  });
});

describe("sidecarKeys", () => {
  it("looks for <name>.<ext>.json first, then <name>.json", () => {
    expect(sidecarKeys("inbox/a/cat.jpg")).toEqual(["inbox/a/cat.jpg.json", "inbox/a/cat.json"]);
  });

  it("handles names without an extension, with several dots, and with spaces", () => {
    expect(sidecarKeys("inbox/cat")).toEqual(["inbox/cat.json"]);
    expect(sidecarKeys("inbox/my.cat.v2.png")).toEqual(["inbox/my.cat.v2.png.json", "inbox/my.cat.v2.json"]);
    expect(sidecarKeys("inbox/a b/c d.webp")).toEqual(["inbox/a b/c d.webp.json", "inbox/a b/c d.json"]);
    expect(sidecarKeys("inbox/.hidden")).toEqual(["inbox/.hidden.json"]);
  });
});

describe("folderSettingsKeys", () => {
  it("lists _settings.json from the image's folder up to inbox/, nearest first", () => {
    expect(folderSettingsKeys("inbox/a/b/cat.jpg")).toEqual([
      "inbox/a/b/_settings.json",
      "inbox/a/_settings.json",
      "inbox/_settings.json",
    ]);
  });

  it("has only inbox/_settings.json for an image at the top", () => {
    expect(folderSettingsKeys("inbox/cat.jpg")).toEqual(["inbox/_settings.json"]);
  });
});
