import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { createStandardWebhookSender } from "../../functions/adapters/webhooks/standard-webhook-sender.js";

type Received = { method: string; headers: IncomingHttpHeaders; body: string };

type Receiver = { url: string; received: Received[]; close(): Promise<void> };

/** A real endpoint on a free port that reads each request whole, then answers as `respond` says. */
async function startReceiver(
  respond: (response: ServerResponse, request: IncomingMessage) => void,
): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({
        method: request.method ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      respond(response, request);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/hailuo`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const secret = `whsec_${randomBytes(32).toString("base64")}`;
const body = JSON.stringify({
  type: "video.completed",
  timestamp: "2025-11-25T06:00:00.000Z",
  data: { id: "task-1", status: "completed", video: { url: "https://cdn.example/x.mp4" } },
});
const message = (url: string) => ({
  url,
  messageId: "msg_task-1_completed",
  timestamp: new Date(),
  body,
  secret,
});

describe("the Standard Webhooks sender", () => {
  const sender = createStandardWebhookSender({ timeoutMs: 2_000, policy: { allowPrivateUrls: true } });
  const receivers: Receiver[] = [];
  const receiver = async (respond: (response: ServerResponse) => void) => {
    const started = await startReceiver(respond);
    receivers.push(started);
    return started;
  };
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((started) => started.close()));
  });

  it("posts the exact body, signed so that the standardwebhooks library verifies it", async () => {
    // Prepare
    const endpoint = await receiver((response) => response.writeHead(204).end());
    const sent = message(endpoint.url);

    // Act
    const result = await sender.send(sent);

    // Assess
    expect(result).toEqual({ ok: true, status: 204 });
    expect(endpoint.received).toHaveLength(1);
    const [request] = endpoint.received;
    expect(request?.method).toBe("POST");
    expect(request?.body).toBe(body);
    expect(request?.headers).toMatchObject({
      "content-type": "application/json",
      "webhook-id": "msg_task-1_completed",
      "webhook-timestamp": String(Math.floor(sent.timestamp.getTime() / 1000)),
      "webhook-signature": expect.stringMatching(/^v1,[A-Za-z0-9+/=]+$/),
    });
    const headers = {
      "webhook-id": String(request?.headers["webhook-id"]),
      "webhook-timestamp": String(request?.headers["webhook-timestamp"]),
      "webhook-signature": String(request?.headers["webhook-signature"]),
    };
    expect(new Webhook(secret).verify(request?.body ?? "", headers)).toEqual(JSON.parse(body));
  });

  it("signs so that a receiver holding another secret rejects the message", async () => {
    const endpoint = await receiver((response) => response.writeHead(200).end("ok"));

    await sender.send(message(endpoint.url));

    const [request] = endpoint.received;
    const headers = {
      "webhook-id": String(request?.headers["webhook-id"]),
      "webhook-timestamp": String(request?.headers["webhook-timestamp"]),
      "webhook-signature": String(request?.headers["webhook-signature"]),
    };
    const otherSecret = `whsec_${randomBytes(32).toString("base64")}`;
    expect(() => new Webhook(otherSecret).verify(request?.body ?? "", headers)).toThrow();
  });

  it("reports a 500 answer as a failed attempt with its status", async () => {
    const endpoint = await receiver((response) => response.writeHead(500).end("boom"));

    const result = await sender.send(message(endpoint.url));

    expect(result).toEqual({ ok: false, status: 500, error: expect.stringContaining("500") });
  });

  it("carries a 429's Retry-After as retryAfterMs", async () => {
    const endpoint = await receiver((response) => response.writeHead(429, { "retry-after": "7" }).end());

    const result = await sender.send(message(endpoint.url));

    expect(result).toEqual({ ok: false, status: 429, error: expect.any(String), retryAfterMs: 7_000 });
  });

  it("does not follow a redirect: a 3xx is a failed attempt", async () => {
    const target = await receiver((response) => response.writeHead(204).end());
    const endpoint = await receiver((response) => response.writeHead(302, { location: target.url }).end());

    const result = await sender.send(message(endpoint.url));

    expect(result).toMatchObject({ ok: false, status: 302 });
    expect(target.received).toEqual([]);
  });

  it("gives up on an endpoint that never answers after timeoutMs, without throwing", async () => {
    // Prepare: reads the request, never writes a response.
    const endpoint = await receiver(() => {});
    const impatient = createStandardWebhookSender({ timeoutMs: 200, policy: { allowPrivateUrls: true } });
    const started = Date.now();

    // Act
    const result = await impatient.send(message(endpoint.url));

    // Assess
    expect(result).toEqual({ ok: false, error: expect.stringContaining("could not reach the endpoint") });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(endpoint.received).toHaveLength(1);
  });

  it("reports a secret that cannot sign as a failed attempt, and sends nothing", async () => {
    const endpoint = await receiver((response) => response.end());

    const result = await sender.send({ ...message(endpoint.url), secret: "whsec_!!!" });

    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.ok ? "" : result.error).toContain("could not sign the webhook");
    expect(endpoint.received).toHaveLength(0);
  });

  it("refuses, once and for all, an endpoint on a private address when deployed", async () => {
    const deployed = createStandardWebhookSender({ timeoutMs: 2_000, policy: { allowPrivateUrls: false } });

    const result = await deployed.send(message("https://[::ffff:a9fe:a9fe]/hooks/hailuo"));

    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.ok ? "" : result.error).toContain("the endpoint is refused");
  });

  it("reports a closed port as a failed attempt, without throwing", async () => {
    const result = await sender.send(message("http://127.0.0.1:9/hooks/hailuo"));

    expect(result).toEqual({ ok: false, error: expect.stringContaining("could not reach the endpoint") });
  });

  it("reports a URL that cannot be fetched at all as a failed attempt, without throwing", async () => {
    const result = await sender.send(message("not a url"));

    expect(result).toMatchObject({ ok: false, error: expect.any(String) });
  });
});
