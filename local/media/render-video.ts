import { ffmpegPath } from "./ffmpeg-paths.js";
import { probeVideo } from "./probe-video.js";
import { runProcess } from "./run-process.js";

export type VideoDimensions = { width: number; height: number };

export type RenderZoomPanOptions = {
  imagePath: string;
  outputPath: string;
  durationSeconds: number;
  shortSide: number;
  /** The input image's size; read with ffprobe when absent. */
  imageSize?: VideoDimensions;
  signal?: AbortSignal;
};

export const framesPerSecond = 24;

// Zooming from 2x the output size keeps zoompan's integer crop steps below a visible pixel.
const supersampling = 2;
const finalZoom = 1.15;

const roundToEven = (value: number): number => Math.max(2, 2 * Math.round(value / 2));

/** Output size with the given short side, keeping the aspect ratio, both sides even (H.264 4:2:0). */
export const outputDimensions = (width: number, height: number, shortSide: number): VideoDimensions => {
  if (!(width > 0 && height > 0 && shortSide > 0)) {
    throw new RangeError(`invalid dimensions ${width}x${height} for short side ${shortSide}`);
  }
  const short = roundToEven(shortSide);
  return width >= height
    ? { width: roundToEven((short * width) / height), height: short }
    : { width: short, height: roundToEven((short * height) / width) };
};

/** The ffmpeg arguments of a slow push-in with a gentle left-to-right drift. */
export const zoomPanArguments = (
  options: Omit<RenderZoomPanOptions, "signal" | "imageSize">,
  output: VideoDimensions,
): string[] => {
  const frameCount = Math.round(options.durationSeconds * framesPerSecond);
  const last = Math.max(1, frameCount - 1);
  const zoom = `1+${finalZoom - 1}*on/${last}`;
  const filter = [
    `scale=${output.width * supersampling}:${output.height * supersampling}:flags=bicubic`,
    "setsar=1",
    `zoompan=z='${zoom}':x='(iw-iw/zoom)*(0.3+0.4*on/${last})':y='(ih-ih/zoom)/2'` +
      `:d=${frameCount}:s=${output.width}x${output.height}:fps=${framesPerSecond}`,
    "format=yuv420p",
  ].join(",");
  return [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-i",
    options.imagePath,
    "-filter_complex",
    filter,
    "-frames:v",
    String(frameCount),
    "-an",
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "23",
    "-pix_fmt",
    "yuv420p",
    "-threads",
    "2",
    "-movflags",
    "+faststart",
    options.outputPath,
  ];
};

const probeImageSize = async (imagePath: string, signal?: AbortSignal): Promise<VideoDimensions> => {
  const probe = await probeVideo(imagePath, { signal });
  return { width: probe.width, height: probe.height };
};

/** Renders an H.264 MP4 of exactly `durationSeconds` at 24 fps; the signal kills ffmpeg. */
export const renderZoomPanVideo = async (options: RenderZoomPanOptions): Promise<VideoDimensions> => {
  const imageSize = options.imageSize ?? (await probeImageSize(options.imagePath, options.signal));
  const output = outputDimensions(imageSize.width, imageSize.height, options.shortSide);
  await runProcess(ffmpegPath, zoomPanArguments(options, output), { signal: options.signal });
  return output;
};
