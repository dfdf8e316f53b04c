import { Webhook } from "standardwebhooks";
import type { WebhookAttemptResult, WebhookSender } from "../../core/ports.js";
import { parseRetryAfter } from "../upstream/retry-after.js";

/**
 * Sends webhooks signed by the Standard Webhooks scheme (webhook-id, webhook-timestamp,
 * webhook-signature). Never throws: every outcome is a result the caller records.
 */
export function createStandardWebhookSender(options: {
  timeoutMs: number;
  fetch?: typeof fetch;
}): WebhookSender {
  const fetchImpl = options.fetch ?? fetch;
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
        return { ok: false, error: `could not reach the endpoint: ${(error as Error).message}` };
      }
    },
  };
}
