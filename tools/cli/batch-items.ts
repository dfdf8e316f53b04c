import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import type { ApiClient, TaskStatus } from "./api-client.js";
import { UsageError } from "./errors.js";
import type { VideoSettings } from "./video-settings.js";

const imageExtensions = new Set([".jpg", ".jpeg", ".png", ".webp"]);

export type BatchItem = { name: string; path: string; target: string };

/** Every JPEG, PNG and WebP directly in `folder`, by name, each with the MP4 it should become. */
export async function batchItems(folder: string, outputDir: string): Promise<BatchItem[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    throw new UsageError(`cannot read the folder ${folder}: ${(error as NodeJS.ErrnoException).code}`);
  }
  const items: BatchItem[] = [];
  for (const name of names.sort()) {
    if (!imageExtensions.has(extname(name).toLowerCase())) continue;
    const path = join(folder, name);
    if (!(await stat(path)).isFile()) continue;
    items.push({ name, path, target: join(outputDir, `${basename(name, extname(name))}.mp4`) });
  }
  if (items.length === 0) throw new UsageError(`no JPEG, PNG or WebP images in ${folder}`);
  return items;
}

/**
 * The batch key of an image: its bytes and the settings, hashed. It is the `Idempotency-Key` of the
 * create and is kept in the task's metadata, so that a later run finds the task a run before made.
 */
export function batchKey(bytes: Uint8Array, settings: VideoSettings): string {
  const hash = createHash("sha256").update(bytes).update("\0").update(JSON.stringify(settings));
  return `hailuo-batch-${hash.digest("hex").slice(0, 48)}`;
}

export const batchKeyField = "hailuo_batch";

/** How far back a run looks for the tasks of an earlier one. */
const lookupLimit = 2000;

/** The tenant's recent tasks made by `batch`, by batch key, newest first; read once per run, when needed. */
export function batchTaskIndex(api: ApiClient) {
  let index: Promise<Map<string, TaskStatus[]>> | undefined;
  const load = async () => {
    const byKey = new Map<string, TaskStatus[]>();
    let cursor: string | undefined;
    let seen = 0;
    do {
      const page = await api.listTasks({ limit: 100, ...(cursor ? { cursor } : {}) });
      for (const task of page.tasks) {
        const key = task.metadata?.[batchKeyField];
        if (key) byKey.set(key, [...(byKey.get(key) ?? []), task]);
      }
      seen += page.tasks.length;
      cursor = page.next_cursor ?? undefined;
    } while (cursor && seen < lookupLimit);
    return byKey;
  };
  return {
    tasksOf: async (key: string) => {
      index ??= load();
      return (await index).get(key) ?? [];
    },
    refresh: () => {
      index = load();
    },
  };
}
