import { readFileSync } from "node:fs";
import path from "node:path";
import { root } from "./platform.js";

/**
 * The `Resource` entries sst-env.d.ts declares, as `{ Name: { property: type } }`, where `type`'s
 * type is its string literal ("sst.aws.Bucket"). Reads the simple shape SST writes, one per line.
 */
export function declaredResources(file = path.join(root, "sst-env.d.ts")) {
  const source = readFileSync(file, "utf8");
  const entries: Record<string, Record<string, string>> = {};
  for (const match of source.matchAll(/^\s*"?(\w+)"?\s*:\s*\{([^}]*)\}/gm)) {
    const [, name, body] = match;
    if (!name || body === undefined) continue;
    const properties: Record<string, string> = {};
    for (const property of body.matchAll(/"?(\w+)"?\s*:\s*("[^"]*"|\w+)/g)) {
      const [, key, type] = property;
      if (key && type) properties[key] = type.replaceAll('"', "");
    }
    entries[name] = properties;
  }
  return entries;
}

/** The Resource names functions/config/linked-resources.ts reads (`Resource.Tasks.name`). */
export function resourcesReadByHandlers() {
  const source = readFileSync(path.join(root, "functions/config/linked-resources.ts"), "utf8");
  const names = [...source.matchAll(/\bResource\.(\w+)\./g)].map((match) => match[1] as string);
  return [...new Set(names)].sort();
}
