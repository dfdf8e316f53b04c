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
  /**
   * Counts of the tenant's tasks by public status, kept by the very writes that create and end
   * tasks; the store fills it on every read (a new tenant has none yet).
   */
  taskCounts?: TaskCounts;
  /** Requests per minute this tenant may make; absent means the gateway's default, 0 means no limit. */
  rateLimitRpm?: number;
  createdAt: string;
};

/** A tenant's tasks by public status: created ones are in progress until they end one way. */
export type TaskCounts = { inProgress: number; completed: number; failed: number; canceled: number };

export const noTaskCounts: TaskCounts = { inProgress: 0, completed: 0, failed: 0, canceled: 0 };
