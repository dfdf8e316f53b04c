import { serve } from "@hono/node-server";
import { freePort } from "../../local/servers/free-port.js";
import {
  type RunningSimulator,
  type SimulatorOptions,
  startSimulator,
} from "../../local/simulator/create-simulator.js";
import { createLocalApp } from "../../local/stack/local-app.js";
import type { ReceivedWebhook } from "../../local/stack/webhook-inbox.js";
import { startTestStack, type TestStack } from "../support/test-stack.js";

export type MinimaxStack = {
  stack: TestStack;
  simulator: RunningSimulator;
  /** The api, served over HTTP (MiniMax's challenge and pushes come to it). */
  apiUrl: string;
  webhooks: ReceivedWebhook[];
  close(): Promise<void>;
};

/**
 * A test stack with UPSTREAM=minimax against the simulator's MiniMax API, the api served on a real
 * port, and push on (PUBLIC_BASE_URL is the api's URL) unless `push` is false.
 */
export async function startMinimaxStack(options: {
  simulator?: SimulatorOptions;
  env?: Record<string, string>;
  push?: boolean;
}): Promise<MinimaxStack> {
  const simulator = await startSimulator({ generationMs: 300, ...options.simulator });
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const stack = await startTestStack({
    simulator: false,
    env: {
      UPSTREAM: "minimax",
      MINIMAX_BASE_URL: simulator.url,
      MINIMAX_API_KEY: "minimax-test-key",
      // Unpaced (MiniMax's default is 20 a minute, with no create in a window's last 2 s): these
      // specs expect the create's inline try to reach the provider; pacing has its own test.
      UPSTREAM_RPM: "0",
      ...(options.push === false ? {} : { PUBLIC_BASE_URL: apiUrl }),
      ...options.env,
    },
  });
  const local = createLocalApp(stack.deps, stack.settings, {
    webhookSecret: () => stack.tenant.webhookSecret,
    log: () => {},
  });
  const server = serve({ fetch: local.app.fetch, port, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    stack,
    simulator,
    apiUrl,
    webhooks: local.webhooks,
    async close() {
      await new Promise((resolve) => {
        server.close(resolve);
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
      await stack.close();
      await simulator.close();
    },
  };
}
