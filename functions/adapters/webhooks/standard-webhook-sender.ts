import { Webhook } from "standardwebhooks";
import type { WebhookAttemptResult, WebhookSender } from "../../core/ports.js";
import type { UrlPolicy } from "../../core/url-policy.js";
import { fetchFailureOf } from "../http/fetch-failure.js";
import { createGuardedFetch } from "../http/guarded-fetch.js";
import { parseRetryAfter } from "../upstream/retry-after.js";

/**
 * Sends webhooks signed by the Standard Webhooks scheme (webhook-id, webhook-timestamp,
 * webhook-signature). Never throws: every outcome is a result the caller records.
 */
export function createStandardWebhookSender(options: {
  timeoutMs: number;
  /** Which endpoints may be called; each attempt's connection is checked against it. */
  policy: UrlPolicy;
  /** Defaults to the guarded fetch of `policy`. */
  fetch?: typeof fetch;
}): WebhookSender {
  const fetchImpl = options.fetch ?? createGuardedFetch({ policy: options.policy });
  return {
    async send({ url, messageId, timestamp, body, secret }): Promise<WebhookAttemptResult> {
      let signature: string;
      try {
        signature = new Webhook(secret).sign(messageId, timestamp, body);
      } catch (error) {
        return {
          ok: false,
          error: `could not sign the webhook: ${(error as Error).message}`,
          retryable: false,
        };
      }
      try {
        const response = await fetchImpl(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "hailuo-gateway-webhooks",
            "webhook-id": messageId,
            "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
            "webhook-signature": signature,
          },
          body,
          signal: AbortSignal.timeout(options.timeoutMs),
          redirect: "manual",
        });
        await response.body?.cancel();
        if (response.ok) return { ok: true, status: response.status };
        const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
        return {
          ok: false,
          status: response.status,
          error: `the endpoint answered ${response.status}`,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        };
      } catch (error) {
        const failure = fetchFailureOf(error);
        if (failure.kind === "forbidden") {
          return { ok: false, error: `the endpoint is refused: ${failure.message}`, retryable: false };
        }
        return { ok: false, error: `could not reach the endpoint: ${failure.message}` };
      }
    },
  };
}
