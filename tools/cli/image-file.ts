import { readFile } from "node:fs/promises";
import { detectImageFormat, imageMimeType } from "../../functions/core/image/image-info.js";
import type { ApiClient } from "./api-client.js";
import { ApiError, CliError } from "./errors.js";

export type ImageFile = { path: string; bytes: Uint8Array; contentType: string };

/** Reads an image and names its type by its bytes, as the gateway will (not by its file name). */
export async function readImageFile(path: string): Promise<ImageFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new CliError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const format = detectImageFormat(bytes);
  if (!format) throw new CliError(`${path} is not a JPEG, PNG or WebP image`);
  return { path, bytes, contentType: imageMimeType(format) };
}

/**
 * The `image` value of a create request for a local file: through the upload route (a presigned PUT),
 * or, on a gateway that has no upload route yet (404), the bytes inline as a `data:` URL.
 */
export async function imageValueFor(api: ApiClient, image: ImageFile): Promise<string> {
  let upload: Awaited<ReturnType<ApiClient["createUpload"]>>;
  try {
    upload = await api.createUpload(image.contentType, image.bytes.byteLength);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return dataUrlOf(image);
    throw error;
  }
  const response = await api.fetchRaw(upload.upload_url, {
    method: upload.method || "PUT",
    headers: upload.headers,
    body: Buffer.from(image.bytes),
  });
  if (!response.ok) {
    const text = (await response.text()).trim().slice(0, 200);
    throw new ApiError(
      response.status,
      "upload_failed",
      `the image upload answered HTTP ${response.status} ${text}`,
    );
  }
  return upload.image;
}

const dataUrlOf = (image: ImageFile) =>
  `data:${image.contentType};base64,${Buffer.from(image.bytes).toString("base64")}`;
