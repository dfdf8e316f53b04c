import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type ReceivedRequest = { method: string; path: string; headers: IncomingHttpHeaders; body: string };

export type LocalHttpServer = {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
};

type Route = (request: IncomingMessage, response: ServerResponse) => void;

/** A plain node:http server for outbound calls under test: images to fetch, callbacks to post. */
export const startLocalHttpServer = async (routes: Record<string, Route>): Promise<LocalHttpServer> => {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "/";
      received.push({
        method: request.method ?? "GET",
        path,
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      const route = routes[path];
      if (route) route(request, response);
      else response.writeHead(404).end("not found");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
