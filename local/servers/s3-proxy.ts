import {
  type Agent,
  type ClientRequest,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { escapeRequestHeaders, restoreResponseHeaders } from "./s3-content-type-escape.js";

/** Sees the upstream answer before it is relayed (status, headers, and its body as it flows). */
export type ResponseObserver = (upstreamResponse: IncomingMessage) => void;
/** Sees each client request as it arrives; returns who wants to see its answer, if anyone. */
export type RequestObserver = (clientRequest: IncomingMessage) => ResponseObserver | undefined;

export type S3ProxyOptions = { target: URL; agent: Agent; observe: RequestObserver };

/**
 * A transparent HTTP proxy: requests and answers stream through unchanged (but for the content types
 * fauxqs cannot store, see s3-content-type-escape.ts), and an upstream answer is read to its end even
 * when the client has left, since the write it reports happened anyway.
 */
export function createS3Proxy(options: S3ProxyOptions): Server {
  const { target, agent } = options;
  return createServer((clientRequest, clientResponse) => {
    if (answerPreflight(clientRequest, clientResponse)) return;
    const observer = options.observe(clientRequest);
    const upstream = httpRequest({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: clientRequest.method,
      path: clientRequest.url,
      headers: escapeRequestHeaders(clientRequest.method, clientRequest.url, clientRequest.rawHeaders),
      agent,
    });
    upstream.on("response", (upstreamResponse) => {
      observer?.(upstreamResponse);
      relayResponse(upstreamResponse, clientResponse);
    });
    upstream.on("error", (error) => failResponse(clientResponse, error));
    relayRequest(clientRequest, upstream);
  });
}

/**
 * The bucket's CORS rule, as a deployed bucket has it (any origin may GET, HEAD and PUT), so that a
 * browser page (the console) can PUT an upload to a presigned URL and play a video from it.
 */
const corsHeaders = ["Access-Control-Allow-Origin", "*", "Access-Control-Expose-Headers", "ETag"];

function answerPreflight(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method !== "OPTIONS" || !request.headers["access-control-request-method"]) return false;
  response.writeHead(204, [
    ...corsHeaders,
    "Access-Control-Allow-Methods",
    "GET, HEAD, PUT",
    "Access-Control-Allow-Headers",
    String(request.headers["access-control-request-headers"] ?? "*"),
    "Access-Control-Max-Age",
    "3000",
  ]);
  response.end();
  return true;
}

/** Only a request cut short is aborted upstream: one that arrived whole is S3's to finish, as on AWS. */
function relayRequest(clientRequest: IncomingMessage, upstream: ClientRequest): void {
  clientRequest.pipe(upstream);
  clientRequest.once("close", () => {
    if (clientRequest.complete) return;
    upstream.destroy(new Error("the client left before sending its whole request"));
  });
}

function relayResponse(upstreamResponse: IncomingMessage, clientResponse: ServerResponse): void {
  // An observer may be waiting for the end of the body, so it flows even with no client to take it.
  const drainWithoutClient = () => {
    upstreamResponse.unpipe(clientResponse);
    upstreamResponse.resume();
  };
  if (clientResponse.destroyed) {
    drainWithoutClient();
    return;
  }
  clientResponse.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.statusMessage, [
    ...restoreResponseHeaders(upstreamResponse.rawHeaders),
    ...corsHeaders,
  ]);
  upstreamResponse.pipe(clientResponse);
  // A client that left shows as "close"; its write errors say nothing more.
  clientResponse.on("error", () => {});
  clientResponse.once("close", () => {
    if (!upstreamResponse.readableEnded) drainWithoutClient();
  });
  upstreamResponse.once("error", (error) => clientResponse.destroy(error));
}

function failResponse(response: ServerResponse, error: Error): void {
  if (response.writableEnded || response.destroyed) return;
  if (response.headersSent) {
    response.destroy(error);
    return;
  }
  response.writeHead(502, { "content-type": "text/plain" });
  response.end(`s3-notifying-front: upstream failed: ${error.message}`);
}
