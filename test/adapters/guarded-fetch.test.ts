import type { LookupAddress } from "node:dns";
import { readFile } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { type Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchFailureOf } from "../../functions/adapters/http/fetch-failure.js";
import {
  createGuardedAgent,
  createGuardedFetch,
  guardedLookup,
  type Resolver,
  systemResolver,
} from "../../functions/adapters/http/guarded-fetch.js";
import { createRequestSchema } from "../../functions/core/create-request.js";
import { ForbiddenDestinationError } from "../../functions/core/errors.js";

/** As deployed: ALLOW_PRIVATE_URLS off. */
const deployed = { allowPrivateUrls: false };

/** Names that look public but that a hostile DNS answers with addresses that are not. */
const hostileDns: Record<string, string[]> = {
  "loopback.attacker.example": ["127.0.0.1"],
  "loopback-high.attacker.example": ["127.255.255.254"],
  "metadata.attacker.example": ["169.254.169.254"],
  "private.attacker.example": ["10.0.0.5"],
  "mixed.attacker.example": ["93.184.215.14", "192.168.0.10"],
  "v6-loopback.attacker.example": ["::1"],
  "mapped.attacker.example": ["::ffff:127.0.0.1"],
  "nat64.attacker.example": ["64:ff9b::a9fe:a9fe"],
  "cgnat.attacker.example": ["100.100.100.100"],
  "unique-local.attacker.example": ["fd00::1"],
  "link-local6.attacker.example": ["fe80::1"],
  "unspecified.attacker.example": ["0.0.0.0"],
};

/** The injectable resolver: the hostile names above, and the system's for anything else (/etc/hosts). */
const resolverOf =
  (answers: Record<string, string[]>): Resolver =>
  async (hostname) => {
    const addresses = answers[hostname];
    if (!addresses) return systemResolver(hostname);
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

/** [url, refused by its text alone] — names that need DNS pass the text and are refused on connect. */
const hostileUrls: [string, boolean][] = [
  ["http://example.com/", true],
  ["https://example.com:8443/", true],
  ["https://example.com:80/", true],
  ["https://user:pass@example.com/", true],
  ["https://user@example.com/", true],
  ["ftp://example.com/image.jpg", true],
  ["file:///etc/passwd", true],
  ["https://localhost/", true],
  ["https://localhost./", true],
  ["https://LOCALHOST/", true],
  ["https://images.localhost/", true],
  ["https://127.0.0.1/", true],
  ["https://127.1/", true],
  ["https://2130706433/", true],
  ["https://0x7f.1/", true],
  ["https://0x7f000001/", true],
  ["https://0177.0.0.1/", true],
  ["https://017700000001/", true],
  ["https://0.1.2.3/", true],
  ["https://0.0.0.0/", true],
  ["https://0/", true],
  ["https://10.0.0.1/", true],
  ["https://172.16.0.1/", true],
  ["https://192.168.1.1/", true],
  ["https://169.254.169.254/latest/meta-data/", true],
  ["https://100.64.0.1/", true],
  ["https://224.0.0.1/", true],
  ["https://255.255.255.255/", true],
  ["https://240.0.0.1/", true],
  ["https://192.0.2.1/", true],
  ["https://[::1]/", true],
  ["https://[::]/", true],
  ["https://[::ffff:7f00:1]/", true],
  ["https://[::ffff:127.0.0.1]/", true],
  ["https://[::ffff:a9fe:a9fe]/", true],
  ["https://[::ffff:0:7f00:1]/", true],
  ["https://[64:ff9b::7f00:1]/", true],
  ["https://[64:ff9b::a9fe:a9fe]/", true],
  ["https://[fe80::1]/", true],
  ["https://[fc00::1]/", true],
  ["https://[fd12:3456::1]/", true],
  ["https://[fec0::1]/", true],
  ["https://[ff02::1]/", true],
  ["https://[2002:7f00:1::]/", true],
  ["https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", true],
  ["https://metadata/", true],
  ["https://metadata.google.internal/computeMetadata/v1/", true],
  ["https://printer.local/", true],
  ...Object.keys(hostileDns).map((name): [string, boolean] => [`https://${name}/`, false]),
];

/** Names /etc/hosts maps to a loopback address, read from the file itself. */
async function loopbackNamesOfEtcHosts(): Promise<string[]> {
  const text = await readFile("/etc/hosts", "utf8").catch(() => "");
  const names = new Set<string>(["localhost"]);
  for (const line of text.split("\n")) {
    const [address, ...aliases] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (address && (address.startsWith("127.") || address === "::1")) {
      for (const alias of aliases) names.add(alias);
    }
  }
  return [...names];
}

/** Listeners on the loopback addresses that count every connection they are offered. */
async function loopbackListeners(): Promise<{
  connections: () => number;
  ports: number[];
  close(): Promise<void>;
}> {
  let connections = 0;
  const servers: Server[] = [];
  const ports: number[] = [];
  for (const [host, port] of [
    ["127.0.0.1", 443],
    ["::1", 443],
    ["127.0.0.1", 80],
    ["127.0.0.1", 0],
  ] as const) {
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    const bound = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(port, host, () => resolve(true));
    });
    if (!bound) continue;
    servers.push(server);
    const address = server.address();
    if (address && typeof address === "object") ports.push(address.port);
  }
  return {
    connections: () => connections,
    ports,
    close: async () => {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}

describe("the guarded outbound path, as deployed", () => {
  let listeners: Awaited<ReturnType<typeof loopbackListeners>>;
  const resolve = resolverOf(hostileDns);
  const guardedFetch = createGuardedFetch({ policy: deployed, resolve });
  let agent: Agent;

  beforeAll(async () => {
    listeners = await loopbackListeners();
    agent = await createGuardedAgent({ policy: deployed, resolve });
  });
  afterAll(async () => {
    await agent.close();
    await listeners?.close();
  });

  it(`refuses each of ${hostileUrls.length} hostile URLs, and no listener on loopback hears a thing`, async () => {
    expect(hostileUrls.length).toBeGreaterThanOrEqual(40);
    expect(listeners.ports.length).toBeGreaterThan(0);
    // The loopback listener on a port of its own, reached by name and by address.
    const extraPort = listeners.ports[listeners.ports.length - 1];
    const urls: [string, boolean][] = [
      ...hostileUrls,
      [`https://127.0.0.1:${extraPort}/`, true],
      [`https://loopback.attacker.example:${extraPort}/`, true],
    ];

    const accepted: string[] = [];
    for (const [url] of urls) {
      const outcome = await guardedFetch(url).then(
        () => "answered",
        (error: unknown) => fetchFailureOf(error).kind,
      );
      if (outcome !== "forbidden") accepted.push(`${url} (${outcome})`);
    }

    expect(accepted).toEqual([]);
    expect(listeners.connections()).toBe(0);
  });

  it("refuses the same destinations at the connection itself, as a redirect's next hop meets it", async () => {
    // undici's request has no URL check of ours: only the agent's connector stands in the way.
    const reachable = hostileUrls.filter(([url]) => /^https?:/.test(url) && !/@/.test(url));
    const accepted: string[] = [];
    for (const [url] of reachable) {
      const outcome = await request(url, { dispatcher: agent }).then(
        async (response) => {
          await response.body.dump();
          return "answered";
        },
        (error: unknown) => fetchFailureOf(error).kind,
      );
      if (outcome !== "forbidden") accepted.push(`${url} (${outcome})`);
    }

    expect(accepted).toEqual([]);
    expect(listeners.connections()).toBe(0);
  });

  it("refuses at create time every URL whose text alone is enough, as image and as callback_url", () => {
    const schema = createRequestSchema(deployed);
    const passed: string[] = [];
    for (const [url, byText] of hostileUrls) {
      if (!byText) continue;
      for (const field of ["image", "callback_url"]) {
        const request = { prompt: "p", image: "https://images.example.com/cat.jpg", [field]: url };
        if (schema.safeParse(request).success) passed.push(`${field}=${url}`);
      }
    }
    expect(passed).toEqual([]);
  });

  it("refuses the names /etc/hosts maps to loopback, through the system resolver and a real connect", async () => {
    const names = await loopbackNamesOfEtcHosts();
    const lookup = guardedLookup(systemResolver);
    for (const name of names) {
      const error = await new Promise<unknown>((settle) => {
        const socket = connect({ host: name, port: listeners.ports[0] ?? 443, lookup });
        socket.once("connect", () => {
          socket.destroy();
          settle(undefined);
        });
        socket.once("error", settle);
      });
      expect(error, name).toBeInstanceOf(ForbiddenDestinationError);
    }
    expect(listeners.connections()).toBe(0);
  });

  it("hands the socket exactly the public addresses it checked, whatever family is asked for", async () => {
    const answers: LookupAddress[] = [
      { address: "93.184.215.14", family: 4 },
      { address: "2606:2800:21f:cb07:6820:80da:af6b:8b2c", family: 6 },
    ];
    const lookup = guardedLookup(async () => answers);
    const all = await new Promise((settle) =>
      lookup("cdn.example.com", { all: true }, (_e, found) => settle(found)),
    );
    const one = await new Promise((settle) =>
      lookup("cdn.example.com", { family: 6 }, (_e, address, family) => settle({ address, family })),
    );

    expect(all).toEqual(answers);
    expect(one).toEqual({ address: "2606:2800:21f:cb07:6820:80da:af6b:8b2c", family: 6 });
  });

  it("resolves a name once per connection, so a second DNS answer cannot replace the checked one", async () => {
    const asked: string[] = [];
    const rebinding: Resolver = async (hostname) => {
      asked.push(hostname);
      // A rebinding DNS: public for a check, loopback for the connect. There is only one lookup.
      return asked.length === 1
        ? [{ address: "127.0.0.1", family: 4 }]
        : [{ address: "93.184.215.14", family: 4 }];
    };
    const once = createGuardedFetch({ policy: deployed, resolve: rebinding });

    const error = await once("https://rebind.attacker.example/").catch((caught: unknown) => caught);

    expect(fetchFailureOf(error).kind).toBe("forbidden");
    expect(asked).toEqual(["rebind.attacker.example"]);
    expect(listeners.connections()).toBe(0);
  });
});
