import type { z } from "zod";
import { describeIssue } from "../core/create-request.js";
import { InvalidRequestError } from "../core/errors.js";

/** Either build's schema (zod, or the domain's zod/mini): both parse the same way. */
type Parser<Output> = {
  safeParse(value: unknown): { success: true; data: Output } | { success: false; error: z.core.$ZodError };
};

/** The parsed value, or an InvalidRequestError naming the first field out of its rule (a 400). */
export function parseOrThrow<Output>(schema: Parser<Output>, value: unknown): Output {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { message, field } = describeIssue(parsed.error);
  throw new InvalidRequestError(message, field);
}
