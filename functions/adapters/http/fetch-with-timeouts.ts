/**
 * `fetch` under two limits: `headersMs` for the answer's headers to arrive, and `signal` (a whole
 * download's timeout, say) for everything, body included. Throws what fetch throws; a missed
 * `headersMs` is a TimeoutError. Callers classify the failure in their own words.
 */
export async function fetchWithTimeouts(
  fetchImpl: typeof fetch,
  url: string,
  init: Omit<RequestInit, "signal"> & { headersMs: number; signal: AbortSignal },
): Promise<Response> {
  const { headersMs, signal, ...rest } = init;
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
