import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Deps } from "../deps.js";
import type { Task } from "../task/task.js";

/**
 * A provider's pushes reach `/api/v1/callbacks/<provider>/<task id>.<secret>`: the id finds the task
 * in one read, and the secret (random, kept on the task) proves the caller got the URL from us.
 */
export function newPushSecret(): string {
  return randomBytes(24).toString("base64url");
}

export function parsePushToken(token: string): { taskId: string; secret: string } | undefined {
  const match = /^([0-9a-z]{10,40})\.([A-Za-z0-9_-]{16,64})$/.exec(token);
  return match?.[1] && match[2] ? { taskId: match[1], secret: match[2] } : undefined;
}

/** Compares in constant time, so the answer's timing tells nothing about the secret. */
export function pushSecretMatches(task: Task, secret: string): boolean {
  if (!task.pushSecret) return false;
  const expected = Buffer.from(task.pushSecret);
  const given = Buffer.from(secret);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The URL a pushing provider is given for `task`, or undefined when push is off (no public URL). */
export function pushCallbackUrl(deps: Deps, task: Task): string | undefined {
  const base = deps.settings.publicBaseUrl;
  if (!base || !deps.upstream.acceptsCallbacks || !task.pushSecret) return undefined;
  return `${base.replace(/\/+$/, "")}/api/v1/callbacks/${deps.upstream.name}/${task.id}.${task.pushSecret}`;
}
