import { z } from "zod";
import { describeIssue } from "../create-request-schema.js";

/** The image-to-video models MiniMax's API names; the simulator renders them all the same way. */
export const minimaxModels = [
  "MiniMax-Hailuo-2.3",
  "MiniMax-Hailuo-2.3-Fast",
  "MiniMax-Hailuo-02",
  "I2V-01-Director",
  "I2V-01-live",
  "I2V-01",
] as const;

const dataUrlPattern = /^data:image\/(jpeg|jpg|png|webp);base64,/i;

const isHttpUrl = (value: string): boolean => {
  try {
    const { protocol } = new URL(value);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
};

/** `POST /v1/video_generation`'s body as MiniMax documents it; unknown fields are ignored. */
export const minimaxCreateSchema = z
  .object({
    model: z.enum(minimaxModels, { error: `model must be one of ${minimaxModels.join(", ")}` }),
    prompt: z
      .string({ error: "prompt must be a string" })
      .max(2000, "prompt must be at most 2000 characters")
      .default(""),
    first_frame_image: z
      .string({ error: "first_frame_image is required" })
      .refine(
        (value) => dataUrlPattern.test(value) || isHttpUrl(value),
        "first_frame_image must be a public URL or a data:image/(jpeg|png|webp);base64, URL",
      ),
    duration: z.union([z.literal(6), z.literal(10)], { error: "duration must be 6 or 10" }).default(6),
    resolution: z.enum(["768P", "1080P"], { error: 'resolution must be "768P" or "1080P"' }).default("768P"),
    prompt_optimizer: z.boolean({ error: "prompt_optimizer must be a boolean" }).default(true),
    fast_pretreatment: z.boolean({ error: "fast_pretreatment must be a boolean" }).default(false),
    callback_url: z
      .string({ error: "callback_url must be a string" })
      .refine(isHttpUrl, "callback_url must be an http(s) URL")
      .optional(),
  })
  .superRefine((request, context) => {
    if (request.duration === 10 && request.resolution === "1080P") {
      context.addIssue({ code: "custom", path: ["resolution"], message: "1080P allows duration 6 only" });
    }
  });

export type MinimaxCreateBody = z.output<typeof minimaxCreateSchema>;

export const parseMinimaxCreate = (
  body: unknown,
): { ok: true; body: MinimaxCreateBody } | { ok: false; message: string } => {
  const parsed = minimaxCreateSchema.safeParse(body);
  return parsed.success
    ? { ok: true, body: parsed.data }
    : { ok: false, message: describeIssue(parsed.error) };
};

export const isDataUrl = (value: string): boolean => dataUrlPattern.test(value);
