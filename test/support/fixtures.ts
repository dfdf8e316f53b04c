import { randomBytes } from "node:crypto";
import { Phase } from "../../functions/core/task/phases.js";
import type { Task } from "../../functions/core/task/task.js";
import { noTaskCounts, type Tenant } from "../../functions/core/tenant.js";
import type { WebhookDelivery } from "../../functions/core/webhook-delivery.js";

const hour = 3_600_000;

const shortId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${randomBytes(5).toString("hex")}`;

/** A freshly created API task, queued and due at `now`, as submitTask records it. */
export function aTask(overrides: Partial<Task> = {}, now: number = Date.now()): Task {
  return {
    id: shortId("task"),
    tenantId: "tenant-without-a-name",
    source: { kind: "api" },
    model: "hailuo/2-3-image-to-video-standard",
    prompt: "A slow sunset over the sea [Push in]",
    image: { kind: "stored", key: "inputs/sunset.jpg", contentType: "image/jpeg" },
    duration: "6",
    resolution: "768P",
    promptOptimizer: true,
    metadata: {},
    credits: 30,
    phase: Phase.queued,
    attempts: 0,
    nextPollAt: now,
    createdAt: new Date(now).toISOString(),
    updatedAt: new Date(now).toISOString(),
    deadlineAt: now + hour,
    version: 1,
    ...overrides,
  };
}

/** A tenant with a credit budget of `creditsRemaining` (none when undefined), nothing spent yet. */
export function aTenant(creditsRemaining: number | undefined, overrides: Partial<Tenant> = {}): Tenant {
  return {
    id: shortId("tenant"),
    name: "Spec tenant",
    webhookSecret: `whsec_${randomBytes(32).toString("base64")}`,
    creditsSpent: 0,
    taskCounts: { ...noTaskCounts },
    createdAt: new Date().toISOString(),
    ...(creditsRemaining === undefined ? {} : { creditsRemaining }),
    ...overrides,
  };
}

/** A pending webhook delivery for `taskId`, due at `nextAttemptAt`. */
export function aDelivery(taskId: string, overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id: `msg_${taskId}_completed`,
    taskId,
    tenantId: "tenant-without-a-name",
    eventType: "video.completed",
    url: "https://hooks.example.com/hailuo",
    body: JSON.stringify({ type: "video.completed", data: { id: taskId } }),
    createdAt: new Date().toISOString(),
    state: "pending",
    attempts: [],
    nextAttemptAt: Date.now(),
    version: 1,
    ...overrides,
  };
}
