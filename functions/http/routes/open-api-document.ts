import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { errorResponses } from "../schemas/error-body.js";

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["service"],
  summary: "Liveness",
  responses: {
    200: {
      description: "the API answers",
      content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } },
    },
    ...errorResponses(),
  },
});

const openApiJson = createRoute({
  method: "get",
  path: "/openapi.json",
  tags: ["service"],
  summary: "This description (OpenAPI 3.1)",
  responses: {
    200: {
      description: "the OpenAPI 3.1 document",
      content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
    },
    ...errorResponses(),
  },
});

/**
 * `/health` and `/openapi.json`, and the bearer scheme every /api/v1 route names. The document is
 * generated once, on first request, from the routes' own zod schemas.
 */
// biome-ignore lint/suspicious/noExplicitAny: any environment; these routes read nothing from it.
export function describeApi(app: OpenAPIHono<any>) {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "Authorization: Bearer <key>; keys belong to a tenant",
  });
  app.openapi(health, (context) => context.json({ status: "ok" as const }, 200));
  let document: Record<string, unknown> | undefined;
  app.openapi(openApiJson, (context) => {
    document ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "hailuo-gateway",
        version: "1",
        description: "The public Hailuo 2.3 image-to-video API, and the routes we add. See docs/api.md.",
      },
    }) as unknown as Record<string, unknown>;
    return context.json(document, 200);
  });
}
