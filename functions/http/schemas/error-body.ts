import { z } from "@hono/zod-openapi";
import { errorTypes } from "../http-errors.js";

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.number().int().openapi({ description: "the HTTP status", example: 400 }),
      message: z.string().openapi({ example: 'duration must be "6" or "10"' }),
      type: z.enum(errorTypes),
    }),
  })
  .openapi("Error");

const whenByCode = {
  400: "invalid_request: malformed JSON or a field out of its rule (the message names the field)",
  401: "authentication_error: missing or unknown key",
  402: "insufficient_credits: the tenant's credit budget would be exceeded",
  404: "not_found: unknown task, or another tenant's",
  409: "conflict or idempotency_conflict: the task's state does not allow it, or an Idempotency-Key reused with another body",
  413: "payload_too_large: body over the limit",
  429: "rate_limit_exceeded: the tenant's requests of this minute are used up (see Retry-After)",
  500: "internal_error: a defect of ours; never for bad input",
} as const;

export type ErrorStatus = keyof typeof whenByCode;

/** The error responses of a route, each with the one error body. 401, 429 and 500 come with every keyed route. */
export function errorResponses<Codes extends ErrorStatus>(...codes: Codes[]) {
  const all = [...new Set<ErrorStatus>([...codes, 401, 429, 500])].sort();
  return Object.fromEntries(
    all.map((code) => [
      code,
      { description: whenByCode[code], content: { "application/json": { schema: errorBodySchema } } },
    ]),
  ) as Record<
    Codes | 401 | 429 | 500,
    { description: string; content: { "application/json": { schema: typeof errorBodySchema } } }
  >;
}
