import { Hono } from "hono";
import { Webhook } from "standardwebhooks";

export type ReceivedWebhook = {
  id: string;
  type: string;
  taskId: string | undefined;
  status: string | undefined;
  verified: boolean;
  problem?: string;
  receivedAt: string;
  body: unknown;
};

/**
 * The local stack's webhook receiver (`POST /dev/webhooks`, listed at `GET /dev/webhooks`): verifies
 * each delivery's Standard Webhooks signature with the tenant's secret, as a caller would, and logs it.
 */
export function webhookInbox(options: { secret: () => string; log: (line: string) => void; keep?: number }) {
  const received: ReceivedWebhook[] = [];
  const keep = options.keep ?? 200;
  const app = new Hono();

  app.post("/", async (context) => {
    const raw = await context.req.text();
    const headers = Object.fromEntries(context.req.raw.headers.entries());
    let verified = false;
    let problem: string | undefined;
    let body: Record<string, unknown> = {};
    try {
      body = new Webhook(options.secret()).verify(raw, headers) as Record<string, unknown>;
      verified = true;
    } catch (error) {
      problem = (error as Error).message;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        body = {};
      }
    }
    const data = (body.data ?? {}) as Record<string, unknown>;
    const entry: ReceivedWebhook = {
      id: headers["webhook-id"] ?? "",
      type: String(body.type ?? "unknown"),
      taskId: typeof data.task_id === "string" ? data.task_id : undefined,
      status: typeof data.status === "string" ? data.status : undefined,
      verified,
      receivedAt: new Date().toISOString(),
      body,
      ...(problem ? { problem } : {}),
    };
    received.push(entry);
    if (received.length > keep) received.shift();
    options.log(
      verified
        ? `webhook ${entry.type} for task ${entry.taskId} arrived; signature verified`
        : `webhook ${entry.id} arrived with a signature that does NOT verify: ${problem}`,
    );
    return verified ? context.json({ received: true }) : context.json({ received: false, problem }, 401);
  });

  app.get("/", (context) => context.json({ data: [...received].reverse() }));
  return { app, received };
}
