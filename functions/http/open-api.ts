import { type Hook, OpenAPIHono } from "@hono/zod-openapi";
import { describeIssue } from "../core/create-request.js";
import { InvalidRequestError } from "../core/errors.js";
import type { AuthenticatedEnv } from "./authenticate.js";

/**
 * Validation failures become our own 400 `invalid_request` naming the field, thrown into the one
 * onError, never the library's default body.
 */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by every route's target and schema.
export const throwInvalidRequest: Hook<any, any, any, any> = (result) => {
  if (result.success) return;
  const { message, field } = describeIssue(result.error);
  throw new InvalidRequestError(message, field);
};

/** One router per resource: validated by its zod schemas, described by the same ones in /openapi.json. */
export function newRouter() {
  return new OpenAPIHono<AuthenticatedEnv>({ defaultHook: throwInvalidRequest });
}

export const bearerSecurity = [{ bearer: [] }];
