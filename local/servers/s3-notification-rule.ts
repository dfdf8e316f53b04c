import type { S3Event } from "aws-lambda";

/** One S3 bucket notification: which new objects it wants and where their event goes. */
export type NotificationRule = {
  /** Becomes `s3.configurationId` of the records, as the notification's Id does on AWS. */
  name: string;
  prefix?: string;
  suffix?: string;
  deliver: (event: S3Event) => Promise<void>;
};

/** S3's key filter: literal, case-sensitive prefix and suffix tests on the decoded key, both must hold. */
export function matchesRule(rule: Pick<NotificationRule, "prefix" | "suffix">, key: string): boolean {
  if (rule.prefix && !key.startsWith(rule.prefix)) return false;
  if (rule.suffix && !key.endsWith(rule.suffix)) return false;
  return true;
}
