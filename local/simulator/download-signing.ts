import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type DownloadSigner = ReturnType<typeof createDownloadSigner>;

/** The secret lives in the data folder so URLs handed out before a restart stay valid. */
export const loadOrCreateSecret = (dataDir: string): string => {
  const path = join(dataDir, "download-secret");
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    const secret = randomBytes(32).toString("hex");
    writeFileSync(path, secret, { mode: 0o600 });
    return secret;
  }
};

/** Presigned-style URLs: an HMAC over the task id and the expiry (unix seconds). */
export const createDownloadSigner = (secret: string) => {
  const signature = (taskId: string, expires: number): string =>
    createHmac("sha256", secret).update(`${taskId}\n${expires}`).digest("hex");

  const url = (origin: string, taskId: string, expiresAtMs: number): string => {
    const expires = Math.floor(expiresAtMs / 1000);
    return `${origin}/files/${taskId}.mp4?expires=${expires}&sig=${signature(taskId, expires)}`;
  };

  const verify = (
    taskId: string,
    expiresParameter: string | undefined,
    signatureParameter: string | undefined,
    nowMs: number,
  ): "valid" | "expired" | "invalid" => {
    if (!expiresParameter || !signatureParameter || !/^\d{1,12}$/.test(expiresParameter)) return "invalid";
    const expires = Number(expiresParameter);
    const expected = Buffer.from(signature(taskId, expires));
    const given = Buffer.from(signatureParameter);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return "invalid";
    return nowMs >= expires * 1000 ? "expired" : "valid";
  };

  return { url, verify };
};
