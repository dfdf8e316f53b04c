/**
 * The stable, machine-readable codes a failed task carries in `error.code`. Providers say the same
 * things in many words; adapters map what they hear onto this closed set, so clients can branch on it.
 */
export const failureCodes = [
  "content_moderation",
  "invalid_image",
  "image_unreachable",
  "generation_failed",
  "upstream_rejected",
  "upstream_auth_failed",
  "upstream_insufficient_balance",
  "upstream_task_lost",
  "upstream_timeout",
  "upstream_failed",
  "internal_error",
  "step_failed_repeatedly",
] as const;
export type FailureCode = (typeof failureCodes)[number];

export function isFailureCode(value: string): value is FailureCode {
  return (failureCodes as readonly string[]).includes(value);
}
