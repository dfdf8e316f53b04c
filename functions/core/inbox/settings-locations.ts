import { bucketLayout } from "../output-keys.js";

/** The name of a folder's settings file; it applies to every image in that folder and below. */
export const folderSettingsName = "_settings.json";

const settingsSuffix = ".json";

/** What an `inbox/` key is for the drop folder: an image candidate, a settings file, or nothing. */
export type InboxKeyKind = "image" | "settings" | "folder-marker" | "system-file" | "outside";

/**
 * Files that desktop tools leave beside photos when a folder is copied up whole: Finder's
 * `.DS_Store` and `._name` shadows, Windows' `Thumbs.db` and `desktop.ini`. Nobody meant them as
 * images, so they get no error report either.
 */
const systemFileName = /^(\.DS_Store|\._.*|Thumbs\.db|ehthumbs\.db|desktop\.ini|\.localized)$/i;

/**
 * Classifies a key by name only. `*.json` keys (sidecars, `_settings.json`) are settings and never
 * become tasks; every other key is an image candidate, which its bytes will confirm or refute.
 */
export function inboxKeyKind(key: string): InboxKeyKind {
  if (!key.startsWith(bucketLayout.inboxPrefix) || key === bucketLayout.inboxPrefix) return "outside";
  if (key.endsWith("/")) return "folder-marker";
  if (key.toLowerCase().endsWith(settingsSuffix)) return "settings";
  if (systemFileName.test(key.slice(key.lastIndexOf("/") + 1))) return "system-file";
  return "image";
}

/**
 * Sidecar candidates of an image, most specific first: `inbox/a/cat.jpg.json` (this image only),
 * then `inbox/a/cat.json` (the same name without its extension). The first that exists is the sidecar.
 */
export function sidecarKeys(imageKey: string): string[] {
  const slash = imageKey.lastIndexOf("/");
  const name = imageKey.slice(slash + 1);
  const dot = name.lastIndexOf(".");
  const keys = [`${imageKey}${settingsSuffix}`];
  if (dot > 0) keys.push(`${imageKey.slice(0, slash + 1)}${name.slice(0, dot)}${settingsSuffix}`);
  return keys;
}

/**
 * The `_settings.json` keys that apply to an image, nearest first: its own folder, then each folder
 * above it, up to `inbox/_settings.json`.
 */
export function folderSettingsKeys(imageKey: string): string[] {
  const folders = imageKey.slice(bucketLayout.inboxPrefix.length).split("/").slice(0, -1);
  const keys: string[] = [];
  for (let depth = folders.length; depth >= 0; depth--) {
    const folder = folders.slice(0, depth).join("/");
    keys.push(`${bucketLayout.inboxPrefix}${folder ? `${folder}/` : ""}${folderSettingsName}`);
  }
  return keys;
}
