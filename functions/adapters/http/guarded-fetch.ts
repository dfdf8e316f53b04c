import { promises as dns, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import type { Readable } from "node:stream";
import type { Agent, buildConnector, Dispatcher } from "undici";
import { ForbiddenDestinationError } from "../../core/errors.js";
import { addressProblem, hostProblem, type UrlPolicy, urlProblem } from "../../core/url-policy.js";
import { once } from "../load-once.js";
import type { PreparableFetch } from "./fetch-with-timeouts.js";

/** Every address a name resolves to; the default asks the system resolver (/etc/hosts, then DNS). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

export type GuardedFetchOptions = { policy: UrlPolicy; resolve?: Resolver };

/**
 * undici, loaded on the first outbound request rather than at a cold start: it is the largest
 * package in every bundle and its evaluation a large share of a handler's init (docs/benchmarks.md,
 * cold-start), while most invocations (a status read, a poll, a video landing) fetch no URL.
 */
let undiciModule: Promise<typeof import("undici")> | undefined;
const loadUndici = () => {
  undiciModule ??= import("undici");
  return undiciModule;
};

/**
 * The one outbound HTTP path for URLs that callers and providers give us: images, their redirects,
 * webhook deliveries and provider video downloads. When private URLs are off, each connection the
 * agent opens (the first request and every redirect hop alike) is checked where it is made: https on
 * port 443 only, an IP literal judged as it is, and a name resolved once, with every address it
 * resolves to checked and the socket connected to exactly those addresses, so that a second answer
 * from DNS (rebinding) cannot slip between the check and the connection.
 */
export function createGuardedFetch(options: GuardedFetchOptions): typeof fetch {
  const dispatcher = once(() => createGuardedAgent(options));
  const guarded = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    // The text first, for a clear refusal; the connection is checked again whatever the text said.
    const problem = urlProblem(url, options.policy);
    if (problem) throw new ForbiddenDestinationError(`the URL ${problem}`);
    const [undici, agent] = await Promise.all([loadUndici(), dispatcher()]);
    const response = await undici.fetch(url, { ...(init as object), dispatcher: agent });
    return response as unknown as Response;
  };
  const prepare = async () => {
    await Promise.all([loadUndici(), dispatcher()]);
  };
  return Object.assign(guarded, { prepare }) as PreparableFetch;
}

/** A streamed GET: the status, and the body as a Node stream that reads no faster than it is consumed. */
export type Download = (
  url: string,
  init: { headers?: Record<string, string>; headersMs: number; signal: AbortSignal },
) => Promise<{ status: number; body: Readable }>;

/** Redirect hops a download follows (each one checked by the agent like the first). */
const downloadRedirects = 5;

/**
 * Large downloads (provider videos) through the same guarded agent, by undici's `request`: its
 * body is a Node stream with real backpressure, so a copy holds about one part in memory, where
 * `fetch`'s web stream reads the socket ahead of a slower consumer (up to the whole video). A
 * stalled body (no byte for `headersMs`) fails like a late answer.
 */
export function createGuardedDownload(options: GuardedFetchOptions): Download {
  const dispatcher = once(
    async (): Promise<Dispatcher> =>
      (await createGuardedAgent(options)).compose(
        (await loadUndici()).interceptors.redirect({ maxRedirections: downloadRedirects }),
      ),
  );
  return async (url, init) => {
    const problem = urlProblem(url, options.policy);
    if (problem) throw new ForbiddenDestinationError(`the URL ${problem}`);
    const [undici, agent] = await Promise.all([loadUndici(), dispatcher()]);
    const answer = await undici.request(url, {
      dispatcher: agent,
      method: "GET",
      ...(init.headers ? { headers: init.headers } : {}),
      signal: init.signal,
      headersTimeout: init.headersMs,
      bodyTimeout: init.headersMs,
    });
    return { status: answer.statusCode, body: answer.body };
  };
}

/** The undici agent whose every connection passes the address policy. */
export async function createGuardedAgent(options: GuardedFetchOptions): Promise<Agent> {
  const { Agent, buildConnector } = await loadUndici();
  if (options.policy.allowPrivateUrls) return new Agent();
  const connect = buildConnector({ lookup: guardedLookup(options.resolve ?? systemResolver) });
  return new Agent({
    connect(target, callback) {
      const refusal = connectionProblem(target);
      if (refusal) {
        callback(new ForbiddenDestinationError(refusal), null);
        return;
      }
      connect(target, callback);
    },
  });
}

function connectionProblem(target: buildConnector.Options): string | undefined {
  if (target.protocol !== "https:") return `refusing ${target.protocol}// to ${target.hostname}: https only`;
  if (target.port !== "" && target.port !== "443") return `refusing port ${target.port}: 443 only`;
  // An IP literal is never looked up, so it is judged here; a name is judged by its lookup.
  const problem = hostProblem(target.hostname);
  return problem ? `refusing ${target.hostname}: it ${problem}` : undefined;
}

/**
 * A `lookup` for net.connect that refuses a name when any address it resolves to is not public,
 * and otherwise hands over exactly the addresses it checked.
 */
export function guardedLookup(resolve: Resolver): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (resolved) => {
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const addresses = resolved.filter((entry) => wanted === 0 || entry.family === wanted);
        for (const { address } of resolved) {
          const problem = addressProblem(address);
          if (problem) {
            callback(
              new ForbiddenDestinationError(`${hostname} resolves to ${address}, which ${problem}`),
              "",
            );
            return;
          }
        }
        const [first] = addresses;
        if (!first) {
          callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "");
          return;
        }
        if (lookupOptions.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ""),
    );
  };
}
