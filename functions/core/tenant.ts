/** An API key as stored: its hash, never the key; the visible prefix when the key was issued by `keys`. */
export type ApiKeyRecord = {
  keyHash: string;
  tenantId: string;
  prefix?: string;
  createdAt: string;
  revokedAt?: string;
};

/** A customer of the gateway: owns API keys, tasks and a credit budget. */
export type Tenant = {
  id: string;
  name: string;
  /** Standard Webhooks secret (`whsec_…`) used to sign this tenant's webhooks. */
  webhookSecret: string;
  /** Where webhooks go when a task names no callback_url. */
  defaultCallbackUrl?: string;
  /** Credits left to spend; absent for a tenant without a budget. */
  creditsRemaining?: number;
  creditsSpent: number;
  /** Requests per minute this tenant may make; absent means the gateway's default, 0 means no limit. */
  rateLimitRpm?: number;
  createdAt: string;
};
