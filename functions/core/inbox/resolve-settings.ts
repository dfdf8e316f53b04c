import { type CreateRequest, createRequestSchema, describeIssue, type UrlPolicy } from "../create-request.js";
import { formatBytes } from "../format-bytes.js";
import { decodeMetadataValue } from "./metadata-values.js";

/** The deployment's fallbacks (INBOX_DEFAULT_*), validated like any other layer. */
export type InboxDefaults = { prompt: string; model: string; duration: string; resolution: string };

/** One place settings come from, in the order they win: metadata, sidecar, folders (nearest first), defaults. */
export type SettingsLayer =
  | { kind: "metadata"; key: string; values: Record<string, string> }
  /** `text` is the file's first `maxSettingsFileBytes + 1` bytes at most: longer means too large. */
  | { kind: "sidecar" | "folder"; key: string; text: string }
  | { kind: "defaults"; values: InboxDefaults };

/** Why the settings cannot make a request: the file (or metadata) and the field, in words. */
export type SettingsProblem = { source: string; field: string | undefined; message: string };

export type ResolvedSettings = { ok: true; request: CreateRequest } | { ok: false; problem: SettingsProblem };

/** Settings files hold a few fields; a larger one is refused unread rather than held in memory. */
export const maxSettingsFileBytes = 64 * 1024;

/** Passes the schema's image rule; the real image is the object itself, handed over as `storedImage`. */
export const placeholderImage = "data:image/jpeg;base64,";
const placeholderPrompt = "placeholder";

/** The request fields a settings file may set; anything else is ignored, as the API ignores it. */
const settingFields = [
  "prompt",
  "model",
  "duration",
  "resolution",
  "callback_url",
  "prompt_optimizer",
  "metadata",
] as const;
type SettingField = (typeof settingFields)[number];
type Fields = Partial<Record<SettingField, unknown>>;

/** `x-amz-meta-*` names (S3 lower-cases them) and the request field each one sets. */
const metadataNames: Record<string, SettingField> = {
  prompt: "prompt",
  model: "model",
  duration: "duration",
  resolution: "resolution",
  "callback-url": "callback_url",
  callback_url: "callback_url",
  "prompt-optimizer": "prompt_optimizer",
  prompt_optimizer: "prompt_optimizer",
};

/**
 * Merges the layers field by field (for each field the first layer that sets it wins), so that a
 * prompt in the object's metadata and a resolution in the folder's `_settings.json` combine. Each
 * layer is validated on its own first, so a problem names the file and the field that break a rule;
 * the merged result then goes through the API's own schema.
 */
export function resolveSettings(layers: SettingsLayer[], policy: UrlPolicy): ResolvedSettings {
  const schema = createRequestSchema(policy);
  const merged: Fields = {};
  const origin: Partial<Record<SettingField, string>> = {};
  for (const layer of layers) {
    const read = readLayer(layer);
    if (!read.ok) return read;
    const alone = schema.safeParse({ prompt: placeholderPrompt, ...read.fields, image: placeholderImage });
    if (!alone.success) return { ok: false, problem: { source: read.source, ...describeIssue(alone.error) } };
    for (const field of settingFields) {
      if (merged[field] === undefined && read.fields[field] !== undefined) {
        merged[field] = read.fields[field];
        origin[field] = read.source;
      }
    }
  }
  const parsed = schema.safeParse({ ...merged, image: placeholderImage });
  if (parsed.success) return { ok: true, request: parsed.data };
  const issue = describeIssue(parsed.error);
  const field = issue.field?.split(".")[0] as SettingField | undefined;
  const source = (field && origin[field]) ?? "the merged settings";
  return { ok: false, problem: { source, ...issue } };
}

/** How a problem reads in an error report. */
export function describeSettingsProblem(problem: SettingsProblem): string {
  return `${problem.source}: ${problem.message}`;
}

type ReadLayer = { ok: true; source: string; fields: Fields } | { ok: false; problem: SettingsProblem };

function readLayer(layer: SettingsLayer): ReadLayer {
  switch (layer.kind) {
    case "defaults":
      return { ok: true, source: "the deployment's defaults (INBOX_DEFAULT_*)", fields: { ...layer.values } };
    case "metadata":
      return { ok: true, source: `the metadata of ${layer.key}`, fields: metadataFields(layer.values) };
    default: {
      const label = layer.kind === "sidecar" ? "the sidecar" : "the folder settings";
      if (Buffer.byteLength(layer.text) > maxSettingsFileBytes) {
        const message = `is over ${formatBytes(maxSettingsFileBytes)}; a settings file holds a few fields`;
        return { ok: false, problem: { source: `${label} ${layer.key}`, field: undefined, message } };
      }
      return fileFields(label, layer.key, layer.text);
    }
  }
}

function metadataFields(values: Record<string, string>): Fields {
  const fields: Fields = {};
  for (const [name, raw] of Object.entries(values)) {
    const field = metadataNames[name.toLowerCase()];
    const value = decodeMetadataValue(raw).trim();
    if (!field || value === "") continue;
    if (field === "prompt_optimizer") {
      fields[field] = value === "true" ? true : value === "false" ? false : value;
    } else {
      fields[field] = value;
    }
  }
  return fields;
}

function fileFields(label: string, key: string, text: string): ReadLayer {
  const source = `${label} ${key}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: { source, field: undefined, message: jsonProblem(text, error) } };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      ok: false,
      problem: { source, field: undefined, message: 'must be a JSON object such as {"prompt": "…"}' },
    };
  }
  const record = value as Record<string, unknown>;
  const fields: Fields = {};
  for (const field of settingFields) {
    if (record[field] !== undefined && record[field] !== null) fields[field] = record[field];
  }
  return { ok: true, source, fields };
}

/** "is not valid JSON at line 3, column 14 (Expected ',' or '}' after property value)". */
function jsonProblem(text: string, error: unknown): string {
  const reason = (error instanceof Error ? error.message : String(error)).replace(
    / in JSON at position.*$/s,
    "",
  );
  const position = /at position (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
  if (position === undefined) return `is not valid JSON (${reason})`;
  const before = text.slice(0, Number(position)).split("\n");
  const line = before.length;
  const column = (before.at(-1)?.length ?? 0) + 1;
  return `is not valid JSON at line ${line}, column ${column} (${reason})`;
}
