import { InvalidArgumentError, Option } from "commander";
import { defaultModel, models, resolutions } from "../../functions/core/create-request.js";
import { UsageError } from "./errors.js";

export type VideoOptions = { prompt: string; pro: boolean; duration: string; resolution: string };
export type VideoSettings = { model: string; prompt: string; duration: string; resolution: string };

/** `-p`, `--pro`, `--duration`, `--resolution`, shared by `generate` and `batch`. */
export const videoOptions = () => [
  new Option(
    "-p, --prompt <text>",
    "what should happen in the video (1–2000 characters)",
  ).makeOptionMandatory(),
  new Option("--pro", "the pro model (more credits)").default(false),
  new Option("--duration <seconds>", "length of the video").choices(["6", "10"]).default("6"),
  new Option("--resolution <resolution>", "768P or 1080P, any case (1080P is 6 s only)")
    .argParser((value) => {
      const resolution = value.toUpperCase();
      if (!(resolutions as readonly string[]).includes(resolution)) {
        throw new InvalidArgumentError(`--resolution must be ${resolutions.join(" or ")}`);
      }
      return resolution;
    })
    .default("768P"),
];

/** The create request's settings; the rules the API would refuse are refused here first, as usage errors. */
export function videoSettings(options: VideoOptions): VideoSettings {
  if (options.resolution === "1080P" && options.duration !== "6") {
    throw new UsageError("1080P allows 6 s only: drop --duration 10 or use --resolution 768P");
  }
  if (options.prompt.trim().length === 0 || options.prompt.length > 2000) {
    throw new UsageError("the prompt must be 1 to 2000 characters");
  }
  return {
    model: options.pro ? (models[1] ?? defaultModel) : defaultModel,
    prompt: options.prompt,
    duration: options.duration,
    resolution: options.resolution,
  };
}
