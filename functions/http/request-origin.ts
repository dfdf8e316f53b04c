import type { Context } from "hono";
import type { Deps } from "../core/deps.js";

/** Where clients reach the api: PUBLIC_BASE_URL when set, else the origin this request came to. */
export function requestOrigin(deps: Deps, context: Context): string {
  return deps.settings.publicBaseUrl ?? new URL(context.req.url).origin;
}
