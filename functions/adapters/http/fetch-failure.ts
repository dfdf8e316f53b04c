import { ForbiddenDestinationError } from "../../core/errors.js";

/** What went wrong with a fetch that threw, in the three kinds every caller tells apart. */
export type FetchFailure =
  | { kind: "forbidden"; message: string }
  | { kind: "timeout"; message: string }
  | { kind: "unreachable"; message: string };

/**
 * The one reading of a thrown fetch for the adapters: the URL policy's refusal (which fetch wraps in
 * a TypeError's `cause`), a timeout (AbortSignal.timeout's TimeoutError), or a network failure named
 * by its innermost cause ("fetch failed" alone says nothing).
 */
export function fetchFailureOf(error: unknown): FetchFailure {
  const chain = causeChain(error);
  const forbidden = chain.find((link) => link instanceof ForbiddenDestinationError);
  if (forbidden) return { kind: "forbidden", message: forbidden.message };
  if (chain.some((link) => (link as { name?: unknown })?.name === "TimeoutError")) {
    return { kind: "timeout", message: "did not answer in time" };
  }
  const innermost = chain[chain.length - 1];
  const message = innermost instanceof Error ? innermost.message : String(innermost);
  return { kind: "unreachable", message };
}

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && chain.length < 6; ) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}
