/**
 * `npm run drop -- photo.jpg [more.jpg | a-folder …] [--prompt "…"] [--duration 6|10]
 *   [--resolution 768P|1080P] [--model …] [--to inbox/some/folder/]`
 * Puts images into the local stack's drop folder, the settings as object metadata, exactly as any
 * S3 client would (`aws s3 cp --metadata prompt=…` does the same). Defaults to the local stack's S3
 * (http://127.0.0.1:$S3_PORT, bucket $BUCKET); `--endpoint` and `--bucket` point it elsewhere.
 */
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { parseArgs } from "node:util";
import { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { localDefaults } from "../local/stack/local-config.js";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    prompt: { type: "string" },
    duration: { type: "string" },
    resolution: { type: "string" },
    model: { type: "string" },
    to: { type: "string", default: "inbox/" },
    endpoint: { type: "string", default: `http://127.0.0.1:${process.env.S3_PORT || localDefaults.S3_PORT}` },
    bucket: { type: "string", default: process.env.BUCKET || localDefaults.BUCKET },
  },
});
if (positionals.length === 0 || !values.to.startsWith("inbox/")) {
  console.error(
    'usage: npm run drop -- FILE|FOLDER … [--prompt "…"] [--duration 6|10] [--resolution 768P|1080P]\n' +
      "                        [--model …] [--to inbox/folder/] [--endpoint URL] [--bucket NAME]",
  );
  process.exit(2);
}

const folder = values.to.endsWith("/") ? values.to : `${values.to}/`;
const metadata = Object.fromEntries(
  (["prompt", "duration", "resolution", "model"] as const).flatMap((name) =>
    values[name] === undefined ? [] : [[name, values[name]]],
  ),
);
const s3 = new S3Client({
  endpoint: values.endpoint,
  region: "us-east-1",
  forcePathStyle: true,
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});

/**
 * The files to send and their names under the target folder: a file by its own name, a folder's
 * files (not hidden ones) by their paths inside it, so sub-folders and their _settings.json keep
 * their places.
 */
async function filesOf(paths: string[]): Promise<{ path: string; name: string }[]> {
  const files: { path: string; name: string }[] = [];
  for (const path of paths) {
    if (!(await stat(path)).isDirectory()) {
      files.push({ path, name: basename(path) });
      continue;
    }
    const entries = await readdir(path, { withFileTypes: true, recursive: true });
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.startsWith(".")) continue;
      const file = join(entry.parentPath, entry.name);
      files.push({ path: file, name: relative(path, file).split(sep).join("/") });
    }
  }
  // Settings files first: a sidecar or _settings.json applies only to images put after it.
  return files.sort((a, b) => Number(!a.name.endsWith(".json")) - Number(!b.name.endsWith(".json")));
}

for (const file of await filesOf(positionals)) {
  const key = `${folder}${file.name}`;
  const isSettings = file.name.endsWith(".json");
  await new Upload({
    client: s3,
    params: {
      Bucket: values.bucket,
      Key: key,
      Body: createReadStream(file.path),
      ...(isSettings ? { ContentType: "application/json" } : { Metadata: metadata }),
    },
  }).done();
  console.log(`dropped s3://${values.bucket}/${key}`);
}
const api = `http://127.0.0.1:${process.env.PORT || localDefaults.PORT}`;
const key = process.env.LOCAL_API_KEY || localDefaults.LOCAL_API_KEY;
console.log(
  "\nEach image becomes a task of the drop folder's owner: follow them with\n" +
    `  curl -s "${api}/api/v1/tasks?limit=10" -H "Authorization: Bearer ${key}"\n` +
    "Videos land at outputs/<task_id>.mp4; refused files get a report under inbox-errors/.",
);
