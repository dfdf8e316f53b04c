import { randomBytes } from "node:crypto";

const challengeTimeoutMs = 3_000;
const pushTimeoutMs = 10_000;

/**
 * MiniMax's check of a callback_url at create: POST {"challenge": …}, and the server must echo it
 * within 3 s. Answers whether it did.
 */
export const checkCallbackUrl = async (url: string, fetchImpl: typeof fetch): Promise<boolean> => {
  const challenge = randomBytes(12).toString("hex");
  try {
    const response = await fetchImpl(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ challenge }),
      signal: AbortSignal.timeout(challengeTimeoutMs),
    });
    const body = (await response.json().catch(() => undefined)) as { challenge?: unknown } | undefined;
    return response.ok && body?.challenge === challenge;
  } catch {
    return false;
  }
};

/** One status push; its answer is read and dropped, as MiniMax documents no retries. */
export const pushStatus = async (
  url: string,
  body: Record<string, unknown>,
  options: { fetch: typeof fetch; logger: (line: string) => void },
): Promise<void> => {
  try {
    const response = await options.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(pushTimeoutMs),
    });
    await response.body?.cancel();
    options.logger(`push ${String(body.status)} for ${String(body.task_id)} answered ${response.status}`);
  } catch (error) {
    options.logger(`push for ${String(body.task_id)} failed: ${(error as Error).message}`);
  }
};
