import { type ImageInfo, readImageInfo as identifyImage } from "./image-info.js";

export const imageRules = {
  minShortSide: 301,
  minAspect: 2 / 5,
  maxAspect: 5 / 2,
  maxBytes: 20 * 1024 * 1024,
} as const;

export const contentTypes: Record<ImageInfo["format"], string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
};

export type ImageVerdict = { ok: true; info: ImageInfo } | { ok: false; problem: string };

/**
 * Checks an image against the API's rules from its first bytes (the header is enough):
 * JPEG, PNG or WebP, short side over 300 px, aspect between 2:5 and 5:2, at most 20 MB.
 */
export function checkImage(header: Uint8Array, totalBytes: number): ImageVerdict {
  if (totalBytes > imageRules.maxBytes) {
    return { ok: false, problem: `the image is ${megabytes(totalBytes)} MB; the limit is 20 MB` };
  }
  const info = identifyImage(header);
  if (!info) return { ok: false, problem: "the file is not a JPEG, PNG or WebP image" };
  const shortSide = Math.min(info.width, info.height);
  if (shortSide < imageRules.minShortSide) {
    return {
      ok: false,
      problem: `the image is ${info.width}×${info.height} px; its short side must be over 300 px`,
    };
  }
  const aspect = info.width / info.height;
  if (aspect < imageRules.minAspect || aspect > imageRules.maxAspect) {
    return {
      ok: false,
      problem: `the image is ${info.width}×${info.height} px; its aspect ratio must be between 2:5 and 5:2`,
    };
  }
  return { ok: true, info };
}

function megabytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
