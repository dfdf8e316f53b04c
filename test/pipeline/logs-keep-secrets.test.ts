import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogWriter } from "../../functions/core/ports.js";
import { createApp } from "../../functions/http/create-app.js";
import { makeJpeg } from "../ingest/support/images.js";
import { type InboxStack, startInboxStack } from "../ingest/support/ingest-stack.js";
import { type LocalHttpServer, startLocalHttpServer } from "../support/local-http-server.js";
import { delivered, deliveryWhen, pollUntil } from "../support/run-poller-until.js";

/** Every log line the stack's functions write, as the JSON a log sink would store. */
function capturingLogger(lines: string[]): LogWriter {
  const write = (level: string) => (message: string, extra?: Record<string, unknown>) =>
    void lines.push(JSON.stringify({ level, message, ...extra }));
  return { debug: write("DEBUG"), info: write("INFO"), warn: write("WARN"), error: write("ERROR") };
}

/** ffmpeg renders two real videos here; on a loaded machine that takes a while. */
const rendering = 120_000;
const signedQuery =
  "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101&X-Amz-Signature=9f2c1e";

describe("the logs of a whole run", () => {
  const lines: string[] = [];
  let stack: InboxStack;
  let host: LocalHttpServer;
  let photo = { status: 503, headers: {} as Record<string, string>, body: Buffer.from("busy") };

  beforeAll(async () => {
    host = await startLocalHttpServer({
      "/hook": (_, response: ServerResponse) => response.writeHead(200).end(),
      "/photo.jpg": (_, response: ServerResponse) =>
        response.writeHead(photo.status, photo.headers).end(photo.body),
    });
    stack = await startInboxStack({
      simulator: { generationMs: 100 },
      callbackUrl: `${host.url}/hook`,
      logger: capturingLogger(lines),
    });
  });
  afterAll(async () => {
    await stack?.close();
    await host?.close();
  });

  it("carry no API key, webhook secret, upstream key or signed query, through API, drop folder and failures", async () => {
    const app = createApp(stack.deps, { maxBodyBytes: 1024 * 1024, idempotencyTtlSeconds: 60 });
    const jpeg = Buffer.from(await makeJpeg(640, 360));
    const create = async (image: string) => {
      const response = await app.request("/api/v1/videos/generations", {
        method: "POST",
        headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ prompt: "a slow push-in", image, callback_url: `${host.url}/hook` }),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { data: { task_id: string } }).data.task_id;
    };
    const ahead = { ...stack.deps, clock: { now: () => Date.now() + 60_000 } };

    // The API, from create to the delivered webhook.
    const completed = await create(`data:image/jpeg;base64,${jpeg.toString("base64")}`);
    await pollUntil(stack.deps, completed, (task) => task.phase === "done" && !!task.announced, rendering);
    await deliveryWhen(stack.deps, completed, delivered);
    // The drop folder, likewise.
    await stack.drop("inbox/logs/cat.jpg", jpeg);
    const [dropped] = await stack.tasksAt("inbox/logs/cat.jpg");
    await pollUntil(
      stack.deps,
      dropped?.id ?? "",
      (task) => task.phase === "done" && !!task.announced,
      rendering,
    );
    // A failure that quotes a signed URL: the image host, failing at first, then redirects to one.
    const failing = await create(`${host.url}/photo.jpg`);
    photo = {
      status: 302,
      headers: { location: `ftp://files.example.com/cat.jpg?${signedQuery}` },
      body: Buffer.alloc(0),
    };
    const failed = await pollUntil(ahead, failing, (task) => task.phase === "failed" && !!task.announced);

    const log = lines.join("\n");
    expect(failed.error?.message).toContain("<redacted>");
    expect(log).toContain("cat.jpg?<redacted>"); // the failure was logged, its signed query gone
    expect(log).toContain("webhook delivered");
    expect(log).toContain("inbox object created");
    for (const secret of [
      stack.apiKey,
      stack.inboxApiKey,
      stack.tenant.webhookSecret,
      stack.inboxTenant.webhookSecret,
      stack.settings.environment.UPSTREAM_API_KEY,
      "X-Amz-Signature",
      "X-Amz-Credential",
      "AKIAIOSFODNN7EXAMPLE",
    ]) {
      expect(secret.length).toBeGreaterThan(5);
      expect(log).not.toContain(secret);
    }
  }, 300_000);
});
