import { spawn } from "node:child_process";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import type { SimulatorOptions } from "../../../local/simulator/create-simulator.js";
import { createLocalApp } from "../../../local/stack/local-app.js";
import { startLocalPoller } from "../../../local/stack/local-poller.js";
import { startTestStack, type TestStack } from "../../support/test-stack.js";

export const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
export const hailuoBin = fileURLToPath(new URL("../../../bin/hailuo.mjs", import.meta.url));

export type CliRun = { code: number | null; stdout: string; stderr: string };

export type CliStack = {
  stack: TestStack;
  url: string;
  /** Runs the real `hailuo` binary in its own process, pointed at this stack by HAILUO_API_URL/KEY. */
  hailuo(args: string[], options?: { cwd?: string; env?: Record<string, string> }): Promise<CliRun>;
  /** While false, `POST /api/v1/uploads` answers 404, as a gateway from before that route. */
  uploadsRoute: boolean;
  close(): Promise<void>;
};

/**
 * A test stack with its api served over HTTP and the poller running on its timer, as `npm start`
 * runs them: the CLI in its child process waits on task statuses that only a running poller moves.
 */
export async function startCliStack(
  options: { simulator?: SimulatorOptions | false } = {},
): Promise<CliStack> {
  const stack = await startTestStack({
    simulator: options.simulator === false ? false : { generationMs: 300, ...options.simulator },
  });
  const local = createLocalApp(stack.deps, stack.settings, {
    webhookSecret: () => stack.tenant.webhookSecret,
    log: () => {},
  });
  const noUploadsRoute = () =>
    Response.json(
      { error: { code: 404, message: "no route POST /api/v1/uploads", type: "not_found" } },
      { status: 404 },
    );
  const fetch = (request: Request) =>
    !cli.uploadsRoute && new URL(request.url).pathname === "/api/v1/uploads"
      ? noUploadsRoute()
      : local.app.fetch(request);
  const server = serve({ fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const poller = startLocalPoller(stack.deps, stack.settings.environment);
  const cli: CliStack = {
    stack,
    url,
    uploadsRoute: true,
    hailuo: (args, runOptions = {}) =>
      runProcess(process.execPath, [hailuoBin, ...args], {
        cwd: runOptions.cwd ?? repoRoot,
        env: { ...process.env, HAILUO_API_URL: url, HAILUO_API_KEY: stack.apiKey, ...runOptions.env },
      }),
    async close() {
      await poller.stop();
      await new Promise((resolve) => server.close(resolve));
      await stack.close();
    },
  };
  return cli;
}

/** A child process with pipes (so not a TTY), run asynchronously: the stack in this process keeps serving. */
export function runProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}
