import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";

const port = z.coerce.number().int().min(1).max(65535);

/** The defaults of the local stack's knobs; tools that talk to a running stack start from them too. */
export const localDefaults = {
  PORT: 3000,
  S3_PORT: 4569,
  DYNAMODB_PORT: 8000,
  SIM_PORT: 4010,
  BUCKET: "hailuo-local",
  TABLE_NAME: "hailuo-local-tasks",
  LOCAL_API_KEY: "local-dev-key",
} as const;

/** The local stack's own knobs (the functions' settings are in functions/config/settings.ts). */
const localSchema = z.object({
  PORT: port.default(localDefaults.PORT),
  S3_PORT: port.default(localDefaults.S3_PORT),
  DYNAMODB_PORT: port.default(localDefaults.DYNAMODB_PORT),
  SIM_PORT: port.default(localDefaults.SIM_PORT),
  BUCKET: z.string().min(3).default(localDefaults.BUCKET),
  TABLE_NAME: z.string().min(1).default(localDefaults.TABLE_NAME),
  LOCAL_API_KEY: z.string().min(8).default(localDefaults.LOCAL_API_KEY),
  LOCAL_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]+$/, { error: "LOCAL_WEBHOOK_SECRET must be a whsec_ secret" })
    .optional(),
  LOCAL_DATA_DIR: z.string().default(".local"),
  /** minimax: the gateway speaks MiniMax's API, to the simulator's MiniMax side unless MINIMAX_BASE_URL is set. */
  UPSTREAM: z.enum(["simulator", "apiinone", "minimax"]).default("simulator"),
  /** The real provider's API, with UPSTREAM=apiinone (its key is UPSTREAM_API_KEY). */
  UPSTREAM_BASE_URL: z.url({ error: "UPSTREAM_BASE_URL must be the provider's base URL" }).optional(),
  HOST: z.string().default("127.0.0.1"),
});

export type LocalConfig = z.output<typeof localSchema> & { dataDir: string; webhookSecret: string };

export function readLocalConfig(env: Record<string, string | undefined>): LocalConfig {
  const parsed = localSchema
    .refine((config) => config.UPSTREAM !== "apiinone" || config.UPSTREAM_BASE_URL !== undefined, {
      error: "UPSTREAM_BASE_URL is required with UPSTREAM=apiinone",
      path: ["UPSTREAM_BASE_URL"],
    })
    .safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== "")));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`invalid local stack settings:\n${problems.join("\n")}`);
  }
  const dataDir = resolve(parsed.data.LOCAL_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  return {
    ...parsed.data,
    dataDir,
    webhookSecret: parsed.data.LOCAL_WEBHOOK_SECRET ?? keptWebhookSecret(dataDir),
  };
}

/** A whsec_ secret generated once and kept under the data dir, so webhooks verify across restarts. */
function keptWebhookSecret(dataDir: string): string {
  const file = join(dataDir, "webhook-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = `whsec_${randomBytes(32).toString("base64")}`;
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
