import { formatBytes } from "../format-bytes.js";
import { detectImageFormat, type ImageInfo, readImageInfo as identifyImage } from "./image-info.js";

export const imageRules = {
  minShortSide: 301,
  minAspect: 2 / 5,
  maxAspect: 5 / 2,
  maxBytes: 20 * 1024 * 1024,
} as const;

/** Enough for any PNG or WebP header, and for a JPEG whose size marker follows large EXIF data. */
export const imageHeaderBytes = 1024 * 1024;

export const contentTypes: Record<ImageInfo["format"], string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
};

/** The one wording of the size rule, wherever an image is found too large. */
export const imageSizeRule = `the limit is ${imageRules.maxBytes / 1024 / 1024} MB`;

export type ImageVerdict = { ok: true; info: ImageInfo } | { ok: false; problem: string };

/**
 * Checks an image against the API's rules from its first bytes (the header is enough):
 * JPEG, PNG or WebP, short side over 300 px, aspect between 2:5 and 5:2, at most 20 MB.
 */
export function checkImage(header: Uint8Array, totalBytes: number): ImageVerdict {
  if (totalBytes > imageRules.maxBytes) {
    return { ok: false, problem: `the image is ${formatBytes(totalBytes)}; ${imageSizeRule}` };
  }
  const info = identifyImage(header);
  if (!info) {
    const format = detectImageFormat(header);
    if (!format) return { ok: false, problem: "the file is not a JPEG, PNG or WebP image" };
    return {
      ok: false,
      problem: `the file starts like a ${formatNames[format]} image, but its size cannot be read: it may be damaged or cut short`,
    };
  }
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

const formatNames: Record<ImageInfo["format"], string> = { jpeg: "JPEG", png: "PNG", webp: "WebP" };
