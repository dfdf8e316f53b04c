import type { Deps } from "../deps.js";
import { InvalidImageError, InvalidRequestError } from "../errors.js";
import { checkImage, contentTypes, imageHeaderBytes, imageRules } from "../image/image-rules.js";
import { inputKey, uploadKey } from "../output-keys.js";
import type { ImageRef } from "../task/task.js";
import { isTaskId } from "../task/task-id.js";
import type { Tenant } from "../tenant.js";

/** How long an upload URL may be used; the bytes it puts wait under uploads/ for a day (lifecycle). */
export const uploadUrlTtlSeconds = 15 * 60;

export const uploadContentTypes = ["image/jpeg", "image/png", "image/webp"] as const;
export type UploadContentType = (typeof uploadContentTypes)[number];

/** The `image` value of a create that names an upload. */
export const uploadPrefix = "upload:";

export type UploadTicket = {
  uploadId: string;
  image: string;
  url: string;
  contentType: UploadContentType;
  maxBytes: number;
  expiresAt: string;
};

/**
 * A presigned PUT for one image of the tenant's, and the `image` value that names it in a create.
 * The bytes are checked when the task is created, like any image (format, size, dimensions); what
 * the URL signs is only its key, its content type, and its length when the caller gave one.
 */
export async function startUpload(
  deps: Deps,
  tenant: Tenant,
  request: { contentType: UploadContentType; contentLength?: number },
): Promise<UploadTicket> {
  const uploadId = deps.newId();
  const url = await deps.media.presignPut(uploadKey(tenant.id, uploadId), {
    contentType: request.contentType,
    ...(request.contentLength === undefined ? {} : { contentLength: request.contentLength }),
    expiresInSeconds: uploadUrlTtlSeconds,
  });
  return {
    uploadId,
    image: `${uploadPrefix}${uploadId}`,
    url,
    contentType: request.contentType,
    maxBytes: imageRules.maxBytes,
    expiresAt: new Date(deps.clock.now() + uploadUrlTtlSeconds * 1000).toISOString(),
  };
}

/**
 * Takes an upload into a task: checks its bytes against the image rules and copies that very
 * version (by ETag) to `inputs/<taskId>`. A missing upload or a bad image is a 400 naming `image`.
 */
export async function stageUpload(
  deps: Deps,
  tenant: Tenant,
  taskId: string,
  image: string,
): Promise<ImageRef> {
  const uploadId = image.slice(uploadPrefix.length);
  const key = isTaskId(uploadId) ? uploadKey(tenant.id, uploadId) : undefined;
  const head = key ? await deps.media.head(key) : undefined;
  if (!key || !head) {
    throw new InvalidRequestError(
      `image: no upload ${uploadId} of this account; PUT the bytes to its upload_url first`,
      "image",
    );
  }
  const bytes = await deps.media.readRange(key, 0, imageHeaderBytes - 1, { ifMatch: head.eTag });
  const verdict = checkImage(bytes, head.size);
  if (!verdict.ok) throw new InvalidImageError(verdict.problem);
  const stored = inputKey(taskId);
  await deps.media.copyObject(key, stored, { ifMatch: head.eTag });
  return { kind: "stored", key: stored, contentType: contentTypes[verdict.info.format] };
}
