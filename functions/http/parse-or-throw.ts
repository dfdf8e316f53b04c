import type { z } from "zod";
import { describeIssue } from "../core/create-request.js";
import { InvalidRequestError } from "../core/errors.js";

/** The parsed value, or an InvalidRequestError naming the first field out of its rule (a 400). */
export function parseOrThrow<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { message, field } = describeIssue(parsed.error);
  throw new InvalidRequestError(message, field);
}
