import { expect } from "vitest";

export const minimaxKey = "sim-minimax-key";

export type MinimaxAnswer = Record<string, unknown> & {
  base_resp: { status_code: number; status_msg: string };
};

const headers = (key: string) => ({
  authorization: `Bearer ${key}`,
  // MiniMax's own clients send a JSON content type even on GET.
  "content-type": "application/json",
});

export const minimaxCreate = async (
  baseUrl: string,
  body: Record<string, unknown>,
  key = minimaxKey,
): Promise<{ status: number; traceId: string | null; body: MinimaxAnswer }> => {
  const response = await fetch(`${baseUrl}/v1/video_generation`, {
    method: "POST",
    headers: headers(key),
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    traceId: response.headers.get("trace-id"),
    body: (await response.json()) as MinimaxAnswer,
  };
};

export const minimaxGet = async (baseUrl: string, path: string, key = minimaxKey): Promise<MinimaxAnswer> => {
  const response = await fetch(`${baseUrl}${path}`, { headers: headers(key) });
  expect(response.status).toBe(200);
  return (await response.json()) as MinimaxAnswer;
};

export const minimaxQuery = (baseUrl: string, taskId: string): Promise<MinimaxAnswer> =>
  minimaxGet(baseUrl, `/v1/query/video_generation?task_id=${taskId}`);

/** Queries every few milliseconds, as a client would every few seconds, recording each status seen. */
export const queryUntilEnd = async (
  baseUrl: string,
  taskId: string,
  timeoutMs = 30_000,
): Promise<{ last: MinimaxAnswer; seen: string[] }> => {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answer = await minimaxQuery(baseUrl, taskId);
    const status = String(answer.status);
    if (seen.at(-1) !== status) seen.push(status);
    if (status === "Success" || status === "Fail") return { last: answer, seen };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`task ${taskId} did not end within ${timeoutMs} ms`);
};
