import { z } from "zod";

export const models = {
  standard: "hailuo/2-3-image-to-video-standard",
  pro: "hailuo/2-3-image-to-video-pro",
} as const;

const modelAliases: Record<string, string> = { "hailuo-2-3": models.standard };

const dataUrlPattern = /^data:image\/(jpeg|jpg|png|webp);base64,/i;

const isImageReference = (value: string): boolean => {
  if (dataUrlPattern.test(value)) return true;
  try {
    const protocol = new URL(value).protocol;
    // The simulator runs next to local servers, so plain http is allowed as well as https.
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
};

/** The public Hailuo 2.3 create body; unknown fields are dropped, never rejected. */
export const createRequestSchema = z
  .object({
    model: z
      .enum([models.standard, models.pro, "hailuo-2-3"], {
        error: `model must be "${models.standard}", "${models.pro}" or "hailuo-2-3"`,
      })
      .default(models.standard)
      .transform((model) => modelAliases[model] ?? model),
    prompt: z
      .string({ error: "prompt must be a string" })
      .min(1, "prompt must not be empty")
      .max(2000, "prompt must be at most 2000 characters"),
    image: z
      .string({ error: "image must be a string" })
      .refine(isImageReference, "image must be an http(s) URL or a data:image/(jpeg|png|webp);base64, URL"),
    duration: z
      .union([z.literal("6"), z.literal("10"), z.literal(6), z.literal(10)], {
        error: 'duration must be "6" or "10"',
      })
      .default("6")
      .transform((duration) => (Number(duration) === 10 ? 10 : 6) as 6 | 10),
    resolution: z
      .string({ error: 'resolution must be "768P" or "1080P"' })
      .transform((resolution) => resolution.toUpperCase())
      .pipe(z.enum(["768P", "1080P"], { error: 'resolution must be "768P" or "1080P"' }))
      .default("768P"),
    prompt_optimizer: z.boolean({ error: "prompt_optimizer must be a boolean" }).default(true),
    callback_url: z.url({ protocol: /^https?$/, error: "callback_url must be an http(s) URL" }).optional(),
  })
  .superRefine((request, context) => {
    if (request.duration === 10 && request.resolution === "1080P") {
      context.addIssue({
        code: "custom",
        path: ["resolution"],
        message: 'resolution "1080P" allows duration "6" only',
      });
    }
  });

export type CreateRequest = z.output<typeof createRequestSchema>;

export const describeIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  if (!issue) return "invalid request";
  const field = issue.path.join(".");
  return field && !issue.message.startsWith(field) ? `${field}: ${issue.message}` : issue.message;
};

export const isDataUrl = (value: string): boolean => dataUrlPattern.test(value);
