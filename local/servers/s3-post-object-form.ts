/** How much of a POST Object form is kept to find its key: the fields before the file are small. */
export const postObjectFormHeadBytes = 64 * 1024;

// biome-ignore lint/suspicious/noTemplateCurlyInString: S3's literal placeholder, not a template.
const filenamePlaceholder = "${filename}";

/**
 * The object key of a POST Object (browser form upload), read from the start of its
 * multipart/form-data body: the `key` field, with `${filename}` replaced by the file's name as S3
 * does. S3 ignores fields after the file, so the key is known once the file part begins;
 * `undefined` when the form head holds no complete key.
 */
export function postObjectKey(formHead: Buffer, contentType: string | undefined): string | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? "");
  const delimiter = boundary?.[1] ?? boundary?.[2];
  if (!delimiter) return undefined;
  let key: string | undefined;
  for (const part of formHead.toString("utf8").split(`--${delimiter}`).slice(1)) {
    if (part.startsWith("--")) return key; // the closing delimiter: a form without a file
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd < 0) return undefined;
    const field = formField(part.slice(0, headerEnd));
    if (!field) continue;
    if (field.filename !== undefined || field.name === "file") {
      return key?.replaceAll(filenamePlaceholder, baseName(field.filename ?? ""));
    }
    if (field.name.toLowerCase() === "key") key = part.slice(headerEnd + 4).replace(/\r\n$/, "");
  }
  // The head ended inside the fields: a key seen so far may be cut short.
  return undefined;
}

function formField(headers: string): { name: string; filename: string | undefined } | undefined {
  const match = /content-disposition:\s*form-data;\s*name="([^"]*)"(?:;\s*filename="([^"]*)")?/i.exec(
    headers,
  );
  return match ? { name: match[1] ?? "", filename: match[2] } : undefined;
}

// Browsers may send a full path (old IE); S3 keeps only the last segment.
function baseName(filename: string): string {
  return filename.slice(Math.max(filename.lastIndexOf("/"), filename.lastIndexOf("\\")) + 1);
}
