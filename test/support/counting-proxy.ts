import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";

/** A request as the proxy saw it: enough to name the operation. */
export type SeenRequest = { method: string; url: string; headers: IncomingHttpHeaders };

export type CountingProxyOptions = {
  /**
   * Buffer each request and response body to let `rewrite` change the request and `record` read
   * the response (small JSON APIs such as DynamoDB). Otherwise bodies stream through untouched.
   */
  inspectBodies?: boolean;
  rewrite?(request: SeenRequest, body: Buffer): Buffer;
  /**
   * With `inspectBodies`: an answer to give instead of forwarding (a fault the real server would
   * give under load, e.g. DynamoDB's transaction conflict), or undefined to forward as usual.
   */
  answer?(request: SeenRequest, body: Buffer): InjectedAnswer | undefined;
  /** Called once per request, when its response has been passed on. */
  record(request: SeenRequest, status: number, responseBody: Buffer | undefined): void;
};

export type InjectedAnswer = { status: number; headers: Record<string, string>; body: string };

export type CountingProxy = {
  endpoint: string;
  /** Where requests go; settable late, once the target's port is known. */
  setTarget(url: string): void;
  /** Resolves once every request received so far has been answered and recorded. */
  settled(): Promise<void>;
  close(): Promise<void>;
};

/**
 * A transparent HTTP proxy in front of a real local server (DynamoDB Local, the S3 front, the
 * simulator) that tells `record` about every request: the counting layer of the request-count
 * test. No mocks: the servers behind it answer as they always do.
 */
export async function startCountingProxy(options: CountingProxyOptions): Promise<CountingProxy> {
  let target: URL | undefined;
  const agent = new Agent({ keepAlive: true });
  const inFlight = new Set<Promise<void>>();

  const server = createServer((request, response) => {
    const handled = forward(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
      response.end(`counting-proxy: ${String(error)}`);
    });
    inFlight.add(handled);
    handled.finally(() => inFlight.delete(handled));
  });

  const forward = async (request: IncomingMessage, response: ServerResponse) => {
    if (!target) throw new Error("no target set yet");
    const seen: SeenRequest = {
      method: request.method ?? "GET",
      url: request.url ?? "/",
      headers: request.headers,
    };
    const body = options.inspectBodies ? await readAll(request) : undefined;
    const injected = body && options.answer?.(seen, body);
    if (injected) {
      const bytes = Buffer.from(injected.body, "utf8");
      response.writeHead(injected.status, { ...injected.headers, "content-length": String(bytes.length) });
      response.end(bytes);
      options.record(seen, injected.status, bytes);
      return;
    }
    const sent = body && options.rewrite ? options.rewrite(seen, body) : body;
    const headers = sent
      ? { ...withoutLengthHeaders(request.headers), "content-length": String(sent.length) }
      : request.rawHeaders;
    const upstream = httpRequest({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: request.method,
      path: request.url,
      headers,
      agent,
    });
    const answered = new Promise<IncomingMessage>((resolve, reject) => {
      upstream.once("response", resolve);
      upstream.once("error", reject);
    });
    if (sent) upstream.end(sent);
    else await pipeline(request, upstream);
    const upstreamResponse = await answered;
    const status = upstreamResponse.statusCode ?? 502;
    if (options.inspectBodies) {
      const responseBody = await readAll(upstreamResponse);
      const responseHeaders = withoutLengthHeaders(upstreamResponse.headers);
      if (seen.method !== "HEAD") responseHeaders["content-length"] = String(responseBody.length);
      response.writeHead(status, upstreamResponse.statusMessage, responseHeaders);
      response.end(responseBody);
      options.record(seen, status, responseBody);
    } else {
      response.writeHead(status, upstreamResponse.statusMessage, upstreamResponse.rawHeaders);
      await pipeline(upstreamResponse, response);
      options.record(seen, status, undefined);
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setTarget(url) {
      target = new URL(url);
    },
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      agent.destroy();
    },
  };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

function withoutLengthHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === "content-length" || name === "transfer-encoding") continue;
    kept[name] = value;
  }
  return kept;
}
