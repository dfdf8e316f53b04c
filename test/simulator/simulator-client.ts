import { expect } from "vitest";

export type TaskData = {
  task_id: string;
  status: "IN_PROGRESS" | "completed" | "failed";
  progress: number;
  model: string;
  created_at: string;
  updated_at: string;
  video_url?: string;
  output?: { video_url: string };
  error?: { code: string; message: string };
};

export const apiKey = "sim-test-key";

export const createTask = (baseUrl: string, body: Record<string, unknown>, key = apiKey): Promise<Response> =>
  fetch(`${baseUrl}/api/v1/videos/generations`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

export const createTaskId = async (baseUrl: string, body: Record<string, unknown>): Promise<string> => {
  const response = await createTask(baseUrl, body);
  const payload = (await response.json()) as { data: { task_id: string; status: string } };
  expect(response.status).toBe(200);
  expect(payload).toEqual({
    code: 200,
    message: "success",
    data: { task_id: expect.stringMatching(/^sim_/), status: "IN_PROGRESS" },
  });
  return payload.data.task_id;
};

export const getTask = async (
  baseUrl: string,
  taskId: string,
): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(`${baseUrl}/api/v1/tasks/${taskId}`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  return { status: response.status, body: await response.json() };
};

/** Polls as a client of the public API does, until `completed` or `failed`. */
export const waitForEnd = async (baseUrl: string, taskId: string, timeoutMs = 30_000): Promise<TaskData> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { status, body } = await getTask(baseUrl, taskId);
    expect(status).toBe(200);
    const data = (body as { data: TaskData }).data;
    if (data.status !== "IN_PROGRESS") return data;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`task ${taskId} did not end within ${timeoutMs} ms`);
};

export const errorBodyOf = (code: number, type: string) => ({
  error: { code, message: expect.any(String), type },
});
