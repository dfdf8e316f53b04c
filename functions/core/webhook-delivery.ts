import type { TaskView } from "./task/task-view.js";

export const webhookEventTypes = ["video.completed", "video.failed", "video.canceled"] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export type WebhookAttempt = { at: string; status?: number; error?: string; durationMs: number };

/** One webhook message (stable id across retries) and the record of its attempts. */
export type WebhookDelivery = {
  id: string;
  taskId: string;
  tenantId: string;
  eventType: WebhookEventType;
  url: string;
  /** The exact body signed and sent, so every retry sends the same bytes. */
  body: string;
  createdAt: string;
  state: "pending" | "delivered" | "exhausted";
  attempts: WebhookAttempt[];
  nextAttemptAt?: number;
  leaseUntil?: number;
  version: number;
};

export type WebhookPayload = { type: WebhookEventType; timestamp: string; data: TaskView };

/** The exact bytes a webhook signs and sends: its event, when it was made, the task as it is. */
export function webhookBody(type: WebhookEventType, at: number, data: TaskView): string {
  const payload: WebhookPayload = { type, timestamp: new Date(at).toISOString(), data };
  return JSON.stringify(payload);
}

export function webhookEventFor(phase: "done" | "failed" | "canceled"): WebhookEventType {
  return phase === "done" ? "video.completed" : phase === "failed" ? "video.failed" : "video.canceled";
}

/** Webhook ids are derived, so a retried or replayed notify never makes a second message. */
export function webhookMessageId(taskId: string, eventType: WebhookEventType): string {
  return `msg_${taskId}_${eventType.replace("video.", "")}`;
}
