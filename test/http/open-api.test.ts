import { readFile } from "node:fs/promises";
import { Validator } from "@seriousme/openapi-schema-validator";
import { beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../functions/config/build-deps.js";
import { parseSettings } from "../../functions/config/settings.js";
import { createApp } from "../../functions/http/create-app.js";

type Document = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
};

// The document is generated without touching a server: these settings point nowhere.
const settings = parseSettings({
  TABLE_NAME: "unused",
  BUCKET: "unused",
  UPSTREAM: "simulator",
  UPSTREAM_BASE_URL: "http://127.0.0.1:9",
});
const app = createApp(buildDeps(settings, { serviceName: "test" }), {
  maxBodyBytes: 1024,
  idempotencyTtlSeconds: 60,
});

const operationsOf = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );

describe("GET /openapi.json", () => {
  let document: Document;
  beforeAll(async () => {
    const response = await app.request("/openapi.json");
    expect(response.status).toBe(200);
    document = (await response.json()) as Document;
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Parameters<Validator["validate"]>[0]);

    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("gives every operation the error body, and every /api/v1 operation the bearer scheme and its 401", () => {
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const name = `${method} ${path}`;
        expect(operation.responses, name).toHaveProperty("500");
        if (!path.startsWith("/api/v1/")) continue;
        expect(operation.security, name).toEqual([{ bearer: [] }]);
        expect(operation.responses, name).toHaveProperty("401");
      }
    }
  });

  it("names the same operations as docs/api.md, both ways", async () => {
    const docs = await readFile(new URL("../../docs/api.md", import.meta.url), "utf8");
    const documented = new Set(
      [...docs.matchAll(/^#{2,4} `(GET|POST|PUT|PATCH|DELETE) ([^`\s?]+)[^`]*`/gm)].map(
        (match) => `${match[1]} ${match[2]}`,
      ),
    );

    expect([...documented].sort()).toEqual(operationsOf(document).sort());
  });
});
