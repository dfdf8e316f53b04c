import { z } from "@hono/zod-openapi";
import { createRequestJsonSchema } from "../../core/create-request.js";

const maxIdempotencyKeyLength = 255;
const idempotencyKeyRule = `Idempotency-Key must be 1 to ${maxIdempotencyKeyLength} characters`;

/**
 * The create body as the domain validates it (core/create-request.ts, zod/mini), described for the
 * spec as JSON Schema: the route's handler validates the body itself (routes/tasks.ts).
 */
export function createBodyDescription() {
  return {
    ...createRequestJsonSchema(),
    description:
      "Fields not listed are ignored; null counts as absent; duration may be a number. See docs/api.md for every rule.",
    example: {
      model: "hailuo/2-3-image-to-video-standard",
      prompt: "A golden retriever running through a sunflower field at sunset, slow motion",
      image: "https://example.com/golden-retriever.jpg",
      duration: "6",
      resolution: "768P",
    },
  };
}

export const createHeadersSchema = z.object({
  "idempotency-key": z
    .string()
    .min(1, { error: idempotencyKeyRule })
    .max(maxIdempotencyKeyLength, { error: idempotencyKeyRule })
    .optional()
    .openapi({
      description:
        "Idempotency-Key (case-insensitive): the same key with the same body within 24 h returns the first answer",
    }),
});

export const createdTaskSchema = z.object({
  task_id: z.string(),
  status: z.literal("IN_PROGRESS"),
});
