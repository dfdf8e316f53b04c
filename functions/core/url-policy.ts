import ipaddr from "ipaddr.js";

/**
 * Which outbound URLs the gateway may fetch or call (images, redirects, webhooks, video downloads).
 * The text of a URL is checked here when it is accepted; every address a name resolves to is checked
 * again, with `addressProblem`, when the connection is made (functions/adapters/http/guarded-fetch.ts).
 */
export type UrlPolicy = {
  /** Allow http://, any port and loopback/private hosts: on in the local stack, off when deployed. */
  allowPrivateUrls: boolean;
};

/** Longer URLs are refused: browsers and CDNs stop near here, and the task record must stay small. */
export const maxUrlLength = 2048;

/**
 * Names that never lead to the public internet. They are refused by their text, before any lookup;
 * anything else is judged by the addresses it resolves to.
 */
const privateNameSuffixes = [".localhost", ".local", ".localdomain", ".internal", ".home.arpa", ".arpa"];

/** Why `value` is not an acceptable outbound URL under `policy`, or undefined when it is. */
export function urlProblem(value: string, policy: UrlPolicy): string | undefined {
  if (value.length > maxUrlLength) return `must be at most ${maxUrlLength} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be a valid URL";
  }
  if (url.username !== "" || url.password !== "") return "must not carry credentials (user:password@)";
  if (policy.allowPrivateUrls) {
    return url.protocol === "https:" || url.protocol === "http:" ? undefined : "must be an http(s) URL";
  }
  if (url.protocol !== "https:") return "must be an https URL";
  // The URL parser drops a port that is the scheme's default, so any port left is not 443.
  if (url.port !== "") return "must use the https port 443";
  const problem = hostProblem(url.hostname);
  return problem ? `must point to a public host (${url.hostname} ${problem})` : undefined;
}

/**
 * Why a host as the URL parser leaves it (IPv4 in dotted decimal whatever form it was written in,
 * IPv6 in brackets) is not public. Names that pass still have their addresses checked on connect.
 */
export function hostProblem(hostname: string): string | undefined {
  const host = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  if (ipaddr.isValid(host)) return addressProblem(host);
  const name = host.toLowerCase().replace(/\.+$/, "");
  if (name === "" || !name.includes(".")) return "is not a fully qualified public name";
  if (name === "localhost" || privateNameSuffixes.some((suffix) => name.endsWith(suffix))) {
    return "is a local name";
  }
  return undefined;
}

/**
 * Why an IP address is not a public unicast address, or undefined when it is. IPv4 carried inside
 * IPv6 (IPv4-mapped `::ffff:a.b.c.d`, SIIT `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`) is judged by
 * the IPv4 address it reaches; tunnels (6to4, Teredo) and every other special range are refused.
 */
export function addressProblem(text: string): string | undefined {
  if (!ipaddr.isValid(text)) return "is not an IP address";
  const parsed = ipaddr.parse(text);
  const address = parsed.kind() === "ipv6" ? (embeddedIPv4(parsed as ipaddr.IPv6) ?? parsed) : parsed;
  const range = address.range();
  if (range === "unicast") return undefined;
  const shown = address === parsed ? "" : ` (${address.toString()})`;
  return `is a ${range} address${shown}`;
}

const nat64WellKnown = ipaddr.parseCIDR("64:ff9b::/96");

function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = address.range();
  const carriesIPv4 =
    range === "ipv4Mapped" || range === "rfc6145" || (range === "rfc6052" && address.match(nat64WellKnown));
  if (!carriesIPv4) return undefined;
  const bytes = address.toByteArray().slice(12);
  return new ipaddr.IPv4(bytes);
}
