import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { newWebhookSecret } from "../../../functions/core/api-keys.js";
import type { LogWriter } from "../../../functions/core/ports.js";
import type { Task } from "../../../functions/core/task/task.js";
import type { Tenant } from "../../../functions/core/tenant.js";
import type { SimulatorOptions } from "../../../local/simulator/create-simulator.js";
import { seedTenant } from "../../../local/stack/seed-tenant.js";
import { testS3Client } from "../../support/aws-clients.js";
import { startTestStack, type TestStack } from "../../support/test-stack.js";

/** The drop folder's owner in these tests (INBOX_TENANT_ID), seeded beside the stack's own tenant. */
export const inboxTenantId = "inbox-owner";

export type InboxStack = TestStack & {
  inboxTenant: Tenant;
  /** The inbox tenant's API key, to read its tasks through the API. */
  inboxApiKey: string;
  /** Writes through the notifying front, as a user's S3 client would. */
  s3: S3Client;
  /** Puts an object into the bucket and waits until its events were handled. */
  drop(key: string, body: Uint8Array | string, metadata?: Record<string, string>): Promise<{ eTag: string }>;
  /** Puts without waiting for the events (e.g. a sidecar before its image, in one go). */
  put(key: string, body: Uint8Array | string, metadata?: Record<string, string>): Promise<{ eTag: string }>;
  /** Puts straight into the S3 server, past the notifying front: no event at all, for tests that deliver their own. */
  putSilently(key: string, body: Uint8Array | string): Promise<{ eTag: string; size: number }>;
  tasksOfInbox(): Promise<Task[]>;
  /** The inbox tasks made from `key`. */
  tasksAt(key: string): Promise<Task[]>;
  readJson(key: string): Promise<unknown | undefined>;
  exists(key: string): Promise<boolean>;
};

export type InboxStackOptions = {
  credits?: number;
  simulator?: SimulatorOptions | false;
  env?: Record<string, string>;
  /** The inbox tenant's default webhook. */
  callbackUrl?: string;
  logger?: LogWriter;
};

export async function startInboxStack(options: InboxStackOptions = {}): Promise<InboxStack> {
  const stack = await startTestStack({
    simulator: options.simulator ?? false,
    env: { INBOX_TENANT_ID: inboxTenantId, ...options.env },
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const inboxApiKey = `inbox-key-${stack.bucket}`;
  const inboxTenant = await seedTenant(stack.deps.tenants, {
    id: inboxTenantId,
    name: "Drop folder owner",
    apiKey: inboxApiKey,
    webhookSecret: newWebhookSecret(),
    ...(options.credits === undefined ? {} : { creditsRemaining: options.credits }),
    ...(options.callbackUrl ? { defaultCallbackUrl: options.callbackUrl } : {}),
  });
  const s3 = testS3Client(stack.s3Endpoint);

  const putVia = async (
    client: S3Client,
    key: string,
    body: Uint8Array | string,
    metadata: Record<string, string> = {},
  ) => {
    const { ETag } = await client.send(
      new PutObjectCommand({
        Bucket: stack.bucket,
        Key: key,
        Body: typeof body === "string" ? Buffer.from(body) : body,
        Metadata: metadata,
      }),
    );
    return { eTag: (ETag ?? "").replace(/"/g, "") };
  };
  const put = (key: string, body: Uint8Array | string, metadata: Record<string, string> = {}) =>
    putVia(s3, key, body, metadata);
  const silent = testS3Client();

  // Through the store's own listing: the owner index holds keys and phase only.
  const tasksOfInbox = async (): Promise<Task[]> => {
    const tasks: Task[] = [];
    let cursor: string | undefined;
    do {
      const page = await stack.deps.tasks.listTasks(inboxTenantId, {
        limit: 100,
        ...(cursor === undefined ? {} : { cursor }),
      });
      tasks.push(...page.tasks);
      cursor = page.nextCursor;
    } while (cursor);
    return tasks;
  };

  return {
    ...stack,
    inboxTenant,
    inboxApiKey,
    s3,
    put,
    async putSilently(key, body) {
      const { eTag } = await putVia(silent, key, body);
      return { eTag, size: typeof body === "string" ? Buffer.byteLength(body) : body.length };
    },
    async drop(key, body, metadata) {
      const result = await put(key, body, metadata);
      await stack.front.drain();
      return result;
    },
    tasksOfInbox,
    async tasksAt(key) {
      const tasks = await tasksOfInbox();
      return tasks.filter((task) => task.source.kind === "inbox" && task.source.key === key);
    },
    async readJson(key) {
      try {
        const { Body } = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
        return JSON.parse((await Body?.transformToString()) ?? "null");
      } catch {
        return undefined;
      }
    },
    async exists(key) {
      try {
        await s3.send(new HeadObjectCommand({ Bucket: stack.bucket, Key: key }));
        return true;
      } catch {
        return false;
      }
    },
  };
}
