/**
 * `fetch` under two limits: `headersMs` for the answer's headers to arrive, and `signal` (a whole
 * download's timeout, say) for everything, body included. Throws what fetch throws; a missed
 * `headersMs` is a TimeoutError. Callers classify the failure in their own words. A fetch with
 * setup of its own (the guarded fetch loads its HTTP client on first use) is prepared before the
 * clock starts: the limits are the remote's, not our module loading's.
 */
export async function fetchWithTimeouts(
  fetchImpl: typeof fetch,
  url: string,
  init: Omit<RequestInit, "signal"> & { headersMs: number; signal: AbortSignal },
): Promise<Response> {
  const { headersMs, signal, ...rest } = init;
  await (fetchImpl as PreparableFetch).prepare?.();
  const headers = new AbortController();
  const timer = setTimeout(
    () => headers.abort(new DOMException("no answer in time", "TimeoutError")),
    headersMs,
  );
  try {
    return await fetchImpl(url, { ...rest, signal: AbortSignal.any([headers.signal, signal]) });
  } finally {
    clearTimeout(timer);
  }
}

/** A fetch that may have work to do before its first request. */
export type PreparableFetch = typeof fetch & { prepare?: () => Promise<void> };
