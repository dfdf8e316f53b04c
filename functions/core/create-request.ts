import { imageRules, imageSizeRule } from "./image/image-rules.js";
import { type UrlPolicy, urlProblem } from "./url-policy.js";
import * as z from "./validation.js";

export type { UrlPolicy } from "./url-policy.js";

export const models = ["hailuo/2-3-image-to-video-standard", "hailuo/2-3-image-to-video-pro"] as const;
export type Model = (typeof models)[number];
export const defaultModel: Model = "hailuo/2-3-image-to-video-standard";
const modelAliases: Record<string, Model> = { "hailuo-2-3": defaultModel };

export const durations = ["6", "10"] as const;
export type Duration = (typeof durations)[number];
export const resolutions = ["768P", "1080P"] as const;
export type Resolution = (typeof resolutions)[number];

export const maxMetadataEntries = 16;

const uploadReferencePattern = /^upload:[0-9A-Za-z_-]{1,64}$/;
const dataUrlPattern = /^data:image\/(jpeg|jpg|png|webp);base64,/i;

function imageField(policy: UrlPolicy) {
  return z.string({ error: "image is required" }).check(
    z.superRefine((value, context) => {
      if (value.startsWith("upload:")) {
        if (!uploadReferencePattern.test(value)) {
          context.addIssue({
            code: "custom",
            message: "image upload reference must be the image POST /api/v1/uploads answered",
          });
        }
        return;
      }
      if (value.startsWith("data:")) {
        if (!dataUrlPattern.test(value)) {
          context.addIssue({
            code: "custom",
            message: "image data URL must be data:image/(jpeg|png|webp);base64,…",
          });
        } else if (Math.floor(((value.length - value.indexOf(",") - 1) * 3) / 4) > imageRules.maxBytes) {
          context.addIssue({
            code: "custom",
            message: `image: the data URL's image is too large; ${imageSizeRule}`,
          });
        }
        return;
      }
      const problem = urlProblem(value, policy);
      if (problem) context.addIssue({ code: "custom", message: `image ${problem}` });
    }),
  );
}

const durationField = z.pipe(
  z.pipe(
    z.union([z.string(), z.number()], { error: 'duration must be "6" or "10"' }),
    z.transform((value: string | number) => String(value)),
  ),
  z.enum(durations, { error: 'duration must be "6" or "10"' }),
);

const resolutionField = z.pipe(
  z.pipe(
    z.string({ error: 'resolution must be "768P" or "1080P"' }),
    z.transform((value: string) => value.toUpperCase()),
  ),
  z.enum(resolutions, { error: 'resolution must be "768P" or "1080P"' }),
);

const modelField = z.pipe(
  z.pipe(
    z.string({ error: "model must be a string" }),
    z.transform((value: string) => modelAliases[value] ?? value),
  ),
  z.enum(models, { error: `model must be one of ${models.join(", ")} (or the alias hailuo-2-3)` }),
);

const metadataField = z
  .record(
    z.string(),
    z
      .string({ error: "metadata values must be strings" })
      .check(z.maxLength(500, { error: "metadata values must be at most 500 characters" })),
    { error: "metadata must be a flat object of strings" },
  )
  .check(
    z.superRefine((value, context) => {
      const keys = Object.keys(value);
      if (keys.length > maxMetadataEntries) {
        context.addIssue({ code: "custom", message: `metadata holds at most ${maxMetadataEntries} entries` });
      }
      const longKey = keys.find((key) => key.length > 40);
      if (longKey)
        context.addIssue({ code: "custom", message: "metadata keys must be at most 40 characters" });
      // DynamoDB refuses an empty attribute name, in a map too: it would fail the write, not the request.
      if (keys.includes("")) context.addIssue({ code: "custom", message: "metadata keys must not be empty" });
    }),
  );

/**
 * Real clients send `null` for a field they leave out: a top-level null counts as absent, so an
 * optional field takes its default and a required one is reported missing.
 */
function withoutNulls(value: unknown): unknown {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== null));
}

/** The create request of the public API. Unknown fields are ignored, never rejected. */
export function createRequestSchema(policy: UrlPolicy) {
  return z.pipe(z.transform(withoutNulls), createRequestObject(policy));
}

/**
 * The create request's fields as JSON Schema (what a caller sends: defaults, lengths, types), for
 * the OpenAPI document; the rules in code (URLs, sizes, 1080P) are in docs/api.md.
 */
export function createRequestJsonSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(createRequestObject({ allowPrivateUrls: false }), {
    io: "input",
    unrepresentable: "any",
  });
  // A default on a pipe (alias → enum) is not carried into JSON Schema: the same defaults, named here.
  const properties = schema.properties as Record<string, Record<string, unknown>>;
  Object.assign(properties.model ?? {}, { default: defaultModel });
  Object.assign(properties.duration ?? {}, { default: "6" });
  Object.assign(properties.resolution ?? {}, { default: "768P" });
  return schema;
}

function createRequestObject(policy: UrlPolicy) {
  return z
    .object({
      model: z._default(modelField, defaultModel),
      prompt: z
        .string({ error: "prompt is required and must be a string" })
        .check(
          z.minLength(1, { error: "prompt must not be empty" }),
          z.maxLength(2000, { error: "prompt must be at most 2000 characters" }),
        ),
      image: imageField(policy),
      duration: z._default(durationField, "6"),
      resolution: z._default(resolutionField, "768P"),
      callback_url: z.optional(
        z.string({ error: "callback_url must be a string" }).check(
          z.superRefine((value, context) => {
            const problem = urlProblem(value, policy);
            if (problem) context.addIssue({ code: "custom", message: `callback_url ${problem}` });
          }),
        ),
      ),
      prompt_optimizer: z._default(z.boolean({ error: "prompt_optimizer must be a boolean" }), true),
      metadata: z.optional(metadataField),
    })
    .check(
      z.superRefine((value, context) => {
        if (value.duration === "10" && value.resolution === "1080P") {
          context.addIssue({
            code: "custom",
            path: ["duration"],
            message: '1080P allows a duration of "6" only',
          });
        }
      }),
    );
}

export type CreateRequest = z.output<ReturnType<typeof createRequestSchema>>;

/** The first problem of a failed parse, in words that name the field. */
export function describeIssue(error: { issues: readonly z.core.$ZodIssue[] }): {
  message: string;
  field: string | undefined;
} {
  const issue = error.issues[0];
  if (!issue) return { message: "invalid request", field: undefined };
  const field = issue.path.map(String).join(".") || undefined;
  const message = issue.message.toLowerCase().startsWith(field?.split(".")[0]?.toLowerCase() ?? "\u0000")
    ? issue.message
    : `${field ? `${field}: ` : ""}${issue.message}`;
  return { message, field };
}
