import { z } from "zod";
import { ffprobePath } from "./ffmpeg-paths.js";
import { runProcess } from "./run-process.js";

export type VideoProbe = {
  durationSeconds: number;
  width: number;
  height: number;
  codec: string;
  pixelFormat: string;
  formatName: string;
};

const ffprobeOutputSchema = z.object({
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        pix_fmt: z.string().optional(),
        width: z.number().optional(),
        height: z.number().optional(),
        duration: z.string().optional(),
      }),
    )
    .default([]),
  format: z.object({ format_name: z.string().optional(), duration: z.string().optional() }).default({}),
});

/** Describes the first video stream of a local file or an http(s) URL. Rejects when there is none. */
export const probeVideo = async (
  fileOrUrl: string,
  options: { signal?: AbortSignal } = {},
): Promise<VideoProbe> => {
  const { stdout } = await runProcess(
    ffprobePath,
    ["-v", "error", "-print_format", "json", "-show_streams", "-show_format", fileOrUrl],
    options,
  );
  const output = ffprobeOutputSchema.parse(JSON.parse(stdout));
  const video = output.streams.find((stream) => stream.codec_type === "video");
  if (!video || video.width === undefined || video.height === undefined) {
    throw new Error(`no video stream in ${fileOrUrl}`);
  }
  // The container's duration covers the whole file; fall back to the stream's for raw streams.
  const durationSeconds = Number(output.format.duration ?? video.duration);
  if (!Number.isFinite(durationSeconds)) {
    throw new Error(`no duration for ${fileOrUrl}`);
  }
  return {
    durationSeconds,
    width: video.width,
    height: video.height,
    codec: video.codec_name ?? "unknown",
    pixelFormat: video.pix_fmt ?? "unknown",
    formatName: output.format.format_name ?? "unknown",
  };
};
