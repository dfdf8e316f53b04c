import { type Model, models } from "../../core/create-request.js";

/** Which MiniMax model serves each of our sub-models. MiniMax has no "pro"/"standard" names. */
export type MinimaxModelMap = Record<Model, string>;

export const defaultMinimaxModelMap: MinimaxModelMap = {
  "hailuo/2-3-image-to-video-standard": "MiniMax-Hailuo-2.3-Fast",
  "hailuo/2-3-image-to-video-pro": "MiniMax-Hailuo-2.3",
};

const shortNames: Record<string, Model> = {
  standard: "hailuo/2-3-image-to-video-standard",
  pro: "hailuo/2-3-image-to-video-pro",
};

/**
 * MINIMAX_MODEL_MAP: a JSON object from our sub-model (`standard`, `pro`, or the full model name)
 * to a MiniMax model name, laid over the default. Answers the map, or the problem in words.
 */
export function parseMinimaxModelMap(text: string | undefined): MinimaxModelMap | string {
  if (!text) return defaultMinimaxModelMap;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'must be a JSON object such as {"standard":"MiniMax-Hailuo-2.3-Fast"}';
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return "must be a JSON object";
  const map: MinimaxModelMap = { ...defaultMinimaxModelMap };
  for (const [key, target] of Object.entries(value)) {
    const model = shortNames[key] ?? (models as readonly string[]).find((name) => name === key);
    if (!model) return `names an unknown sub-model "${key}" (use standard or pro)`;
    if (typeof target !== "string" || target.trim() === "")
      return `"${key}" must map to a MiniMax model name`;
    map[model as Model] = target.trim();
  }
  return map;
}

/** Our sub-model for a MiniMax model name, by the same table read backwards (first match wins). */
export function subModelOf(map: MinimaxModelMap, minimaxModel: string): Model | undefined {
  return (Object.entries(map) as [Model, string][]).find(([, name]) => name === minimaxModel)?.[0];
}
