import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Settings } from "../../functions/config/settings.js";
import type { Deps } from "../../functions/core/deps.js";
import { createApp } from "../../functions/http/create-app.js";
import { webhookInbox } from "./webhook-inbox.js";

export const exampleImagePath = fileURLToPath(new URL("../assets/example.jpg", import.meta.url));

/**
 * The api exactly as deployed, plus what only the local stack serves under /dev: the example
 * image (so the printed curl works offline) and a webhook inbox that verifies signatures.
 */
export function createLocalApp(
  deps: Deps,
  settings: Settings,
  options: { webhookSecret: () => string; log: (line: string) => void },
) {
  const app = createApp(deps, {
    maxBodyBytes: settings.environment.MAX_BODY_BYTES,
    idempotencyTtlSeconds: settings.environment.IDEMPOTENCY_TTL_SECONDS,
    minimaxModels: settings.environment.MINIMAX_MODEL_MAP,
  });
  const inbox = webhookInbox({ secret: options.webhookSecret, log: options.log });
  app.route("/dev/webhooks", inbox.app);
  app.get("/dev/example.jpg", async (context) => {
    const bytes = await readFile(exampleImagePath);
    return context.body(bytes, 200, { "content-type": "image/jpeg", "content-length": String(bytes.length) });
  });
  return { app, webhooks: inbox.received };
}
