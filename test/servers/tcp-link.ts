import { connect, createServer, type Socket } from "node:net";

const pieceBytes = 32;

export type TcpLink = {
  endpoint: string;
  /** Passes bytes coming back from the target on in small pieces, one every `ms` (0: at once). */
  trickleResponses(ms: number): void;
  /** Passes on the next bytes from the target, then cuts every connection and refuses new ones. */
  goDownAfterNextResponse(): void;
  /** Accepts connections again after going down. */
  comeBackUp(): void;
  close(): Promise<void>;
};

/**
 * A real TCP hop between two real servers whose only tricks are latency and outages, for tests of
 * what a client does when the network, not the server, misbehaves.
 */
export async function startTcpLink(target: string): Promise<TcpLink> {
  const { hostname, port } = new URL(target);
  const links = new Set<{ near: Socket; far: Socket }>();
  let tickMs = 0;
  let goDownNext = false;
  let down = false;

  const goDown = () => {
    down = true;
    for (const { near, far } of links) {
      near.end();
      far.destroy();
    }
  };

  const server = createServer((near) => {
    if (down) {
      near.resetAndDestroy();
      return;
    }
    const far = connect(Number(port), hostname);
    const link = { near, far };
    links.add(link);
    near.on("data", (chunk) => far.write(chunk));
    const passOn = (bytes: Buffer) => {
      if (near.destroyed || !near.writable) return;
      near.write(bytes);
      if (goDownNext) {
        goDownNext = false;
        goDown();
      }
    };
    const backlog: Buffer[] = [];
    let trickling = false;
    const trickle = () => {
      const piece = backlog.shift();
      trickling = piece !== undefined;
      if (!piece) return;
      passOn(piece);
      setTimeout(trickle, tickMs);
    };
    far.on("data", (chunk: Buffer) => {
      if (tickMs === 0 && !trickling) return passOn(chunk);
      for (let at = 0; at < chunk.length; at += pieceBytes) backlog.push(chunk.subarray(at, at + pieceBytes));
      if (!trickling) trickle();
    });
    const closeBoth = () => {
      links.delete(link);
      near.destroy();
      far.destroy();
    };
    for (const socket of [near, far]) {
      socket.on("error", () => {});
      socket.on("close", closeBoth);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const listeningPort = typeof address === "object" && address ? address.port : 0;

  return {
    endpoint: `http://127.0.0.1:${listeningPort}`,
    trickleResponses(ms) {
      tickMs = ms;
    },
    goDownAfterNextResponse() {
      goDownNext = true;
    },
    comeBackUp() {
      down = false;
    },
    async close() {
      goDown();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
