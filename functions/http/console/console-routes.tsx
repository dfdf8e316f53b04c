/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { createHash } from "node:crypto";
import { Hono } from "hono";
import { raw } from "hono/html";
import { ConsolePage } from "./console-page.js";
import { consoleScript } from "./console-script.js";
import { consoleStyles } from "./console-styles.js";

const version = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);
const scriptPath = `/console/console.js?v=${version(consoleScript)}`;
const stylePath = `/console/console.css?v=${version(consoleStyles)}`;

/**
 * Everything the page loads comes from here: no CDN, so it works offline and on a private network.
 * The script talks to the same origin's /api/v1; video and upload URLs are the bucket's presigned ones.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' https: http:",
  "connect-src 'self' https: http:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The web console: one server-rendered page (Hono's JSX), one small script, one stylesheet. */
export function consoleRoutes() {
  const router = new Hono();
  router.get("/", (context) => {
    context.header("content-security-policy", contentSecurityPolicy);
    context.header("x-content-type-options", "nosniff");
    context.header("cache-control", "no-cache");
    return context.html(
      <>
        {raw("<!doctype html>")}
        <ConsolePage scriptPath={scriptPath} stylePath={stylePath} />
      </>,
    );
  });
  // The paths carry a hash of the content, so a browser may keep them as long as it likes.
  router.get("/console.js", (context) =>
    context.body(consoleScript, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=31536000, immutable",
    }),
  );
  router.get("/console.css", (context) =>
    context.body(consoleStyles, 200, {
      "content-type": "text/css; charset=utf-8",
      "cache-control": "public, max-age=31536000, immutable",
    }),
  );
  return router;
}
