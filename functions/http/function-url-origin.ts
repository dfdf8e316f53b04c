/**
 * The public origin of a Lambda Function URL event: `https://` and the host the URL is served on
 * (`requestContext.domainName`, which AWS sets; a Function URL is reached only by its own host).
 * Undefined for an event that names no host.
 */
export function functionUrlOrigin(event: unknown): string | undefined {
  if (!event || typeof event !== "object" || !("requestContext" in event)) return undefined;
  const context = event.requestContext;
  if (!context || typeof context !== "object" || !("domainName" in context)) return undefined;
  const host = context.domainName;
  return typeof host === "string" && /^[a-z0-9.-]+$/i.test(host) ? `https://${host}` : undefined;
}
