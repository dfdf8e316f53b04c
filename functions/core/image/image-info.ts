// Pure header parsing (no decoding, no dependencies) so the gateway can validate uploads cheaply.

export const imageFormats = { jpeg: "jpeg", png: "png", webp: "webp" } as const;
export type ImageFormat = (typeof imageFormats)[keyof typeof imageFormats];

export type ImageInfo = { format: ImageFormat; width: number; height: number };

const mimeTypes: Record<ImageFormat, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
};

export const imageMimeType = (format: ImageFormat): string => mimeTypes[format];

const startsWith = (bytes: Uint8Array, prefix: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + prefix.length && prefix.every((value, index) => bytes[offset + index] === value);

const ascii = (text: string): number[] => [...text].map((character) => character.charCodeAt(0));

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Recognises JPEG, PNG and WebP by their magic bytes; anything else is undefined. */
export const detectImageFormat = (bytes: Uint8Array): ImageFormat | undefined => {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return imageFormats.jpeg;
  if (startsWith(bytes, pngSignature)) return imageFormats.png;
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return imageFormats.webp;
  return undefined;
};

/** Format and pixel size read from the header, or undefined when the bytes are not a readable image. */
export const readImageInfo = (bytes: Uint8Array): ImageInfo | undefined => {
  const format = detectImageFormat(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size =
    format === "jpeg"
      ? readJpegSize(bytes, view)
      : format === "png"
        ? readPngSize(bytes, view)
        : format === "webp"
          ? readWebpSize(bytes, view)
          : undefined;
  if (!format || !size || size.width <= 0 || size.height <= 0) return undefined;
  return { format, ...size };
};

type Size = { width: number; height: number };

const readPngSize = (bytes: Uint8Array, view: DataView): Size | undefined => {
  // Signature (8), chunk length (4), "IHDR" (4), then width and height as big-endian u32.
  if (bytes.length < 24 || !startsWith(bytes, ascii("IHDR"), 12)) return undefined;
  return { width: view.getUint32(16), height: view.getUint32(20) };
};

// SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
const isStartOfFrame = (marker: number): boolean =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

const readJpegSize = (bytes: Uint8Array, view: DataView): Size | undefined => {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1] ?? 0;
    // Fill bytes, and markers that stand alone without a length.
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      offset += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined;
    const segmentLength = view.getUint16(offset + 2);
    if (segmentLength < 2) return undefined;
    if (isStartOfFrame(marker)) {
      // Length (2), precision (1), height (2), width (2).
      if (offset + 9 > bytes.length) return undefined;
      return { height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
    }
    offset += 2 + segmentLength;
  }
  return undefined;
};

const readWebpSize = (bytes: Uint8Array, view: DataView): Size | undefined => {
  // RIFF header (12), then the first chunk: fourcc (4), size (4), payload at 20.
  if (bytes.length < 30) return undefined;
  if (startsWith(bytes, ascii("VP8 "), 12)) {
    // Lossy: frame tag (3), start code 9d 01 2a (3), then 14-bit width and height.
    if (!startsWith(bytes, [0x9d, 0x01, 0x2a], 23)) return undefined;
    return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  if (startsWith(bytes, ascii("VP8L"), 12)) {
    // Lossless: signature 0x2f, then width-1 and height-1 as 14-bit fields, little-endian.
    if (bytes[20] !== 0x2f) return undefined;
    const bits = view.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (startsWith(bytes, ascii("VP8X"), 12)) {
    // Extended: flags (4), then canvas width-1 and height-1 as 24-bit little-endian.
    const readUint24 = (at: number): number =>
      (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8) | ((bytes[at + 2] ?? 0) << 16);
    return { width: readUint24(24) + 1, height: readUint24(27) + 1 };
  }
  return undefined;
};
