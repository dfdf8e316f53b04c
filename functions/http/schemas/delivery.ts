import { z } from "@hono/zod-openapi";
import { type WebhookDelivery, webhookEventTypes } from "../../core/webhook-delivery.js";

export const deliverySchema = z
  .object({
    webhook_id: z.string().openapi({ description: "the `webhook-id` header: the same on every attempt" }),
    event_type: z.enum(webhookEventTypes),
    url: z.string(),
    state: z.enum(["pending", "delivered", "exhausted"]),
    created_at: z.string(),
    next_attempt_at: z.string().nullable().openapi({ description: "when the next retry is due, if one is" }),
    attempts: z.array(
      z.object({
        at: z.string(),
        status_code: z.number().int().nullable().openapi({ description: "the receiver's HTTP status; null if none came" }),
        error: z.string().nullable(),
        duration_ms: z.number().int(),
      }),
    ),
  })
  .openapi("WebhookDelivery");

export type DeliveryBody = z.infer<typeof deliverySchema>;

/** A delivery as the API shows it; its body and signing details stay inside. */
export function deliveryBody(delivery: WebhookDelivery): DeliveryBody {
  return {
    webhook_id: delivery.id,
    event_type: delivery.eventType,
    url: delivery.url,
    state: delivery.state,
    created_at: delivery.createdAt,
    next_attempt_at:
      delivery.state === "pending" && delivery.nextAttemptAt !== undefined
        ? new Date(delivery.nextAttemptAt).toISOString()
        : null,
    attempts: delivery.attempts.map((attempt) => ({
      at: attempt.at,
      status_code: attempt.status ?? null,
      error: attempt.error ?? null,
      duration_ms: Math.round(attempt.durationMs),
    })),
  };
}
