import type { MediaStore } from "../ports.js";
import { maxSettingsFileBytes, type SettingsLayer } from "./resolve-settings.js";
import { folderSettingsKeys, sidecarKeys } from "./settings-locations.js";

/**
 * Reads settings files for one batch of objects. Every key is fetched at most once per batch, so a
 * thousand images of one folder cost one GET of each `_settings.json` above them, not a thousand.
 */
export function createSettingsReader(media: MediaStore) {
  const texts = new Map<string, Promise<string | undefined>>();
  const read = (key: string): Promise<string | undefined> => {
    let text = texts.get(key);
    if (!text) {
      text = media.getText(key, maxSettingsFileBytes);
      // A failed read is not cached: the retried event must try again.
      text.catch(() => texts.delete(key));
      texts.set(key, text);
    }
    return text;
  };

  /** The file layers of an image, in the order they win: its sidecar, then folders nearest first. */
  return async function fileLayers(imageKey: string): Promise<SettingsLayer[]> {
    const sidecars = sidecarKeys(imageKey);
    const folders = folderSettingsKeys(imageKey);
    const [sidecarTexts, folderTexts] = await Promise.all([
      Promise.all(sidecars.map(read)),
      Promise.all(folders.map(read)),
    ]);
    const layers: SettingsLayer[] = [];
    const sidecarIndex = sidecarTexts.findIndex((text) => text !== undefined);
    const sidecarKey = sidecars[sidecarIndex];
    const sidecarText = sidecarTexts[sidecarIndex];
    if (sidecarKey !== undefined && sidecarText !== undefined) {
      layers.push({ kind: "sidecar", key: sidecarKey, text: sidecarText });
    }
    folders.forEach((key, index) => {
      const text = folderTexts[index];
      if (text !== undefined) layers.push({ kind: "folder", key, text });
    });
    return layers;
  };
}
