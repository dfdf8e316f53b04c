import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { addLatency, injectErrors, requireBearer } from "./api-middleware.js";
import { createDownloadSigner, loadOrCreateSecret } from "./download-signing.js";
import { type ErrorStatus, errorBody, errorTypes, SimulatorHttpError } from "./errors.js";
import { createFaults, type FaultStats } from "./fault-knobs.js";
import { createFileRoutes } from "./file-routes.js";
import { createGenerationRunner } from "./generation-runner.js";
import { createMinimaxRoutes } from "./minimax/minimax-routes.js";
import { createRateWindow, limitSeedCreates } from "./rate-window.js";
import {
  type ResolvedSimulatorOptions,
  resolveSimulatorOptions,
  type SimulatorOptions,
} from "./simulator-options.js";
import { createTaskRoutes } from "./task-routes.js";
import { createTaskStore } from "./task-store.js";

export type { SimulatorOptions } from "./simulator-options.js";

export type Simulator = {
  app: Hono;
  options: ResolvedSimulatorOptions;
  /** What the simulator counted: creates accepted (each one a paid generation upstream). */
  stats(): FaultStats;
  /** Creations refused by the rate limit so far (SIM_RPM), on either API. */
  rateLimited(): number;
  /** Stops background generations; unfinished tasks stay IN_PROGRESS on disk and resume on restart. */
  close(): Promise<void>;
};

export type RunningSimulator = {
  url: string;
  port: number;
  dataDir: string;
  stats(): FaultStats;
  rateLimited(): number;
  close(): Promise<void>;
};

// A 20 MB image as a base64 data URL, plus the rest of the body.
const maxBodyBytes = 28 * 1024 * 1024;

const isErrorStatus = (status: number): status is ErrorStatus => status in errorTypes;

/** The app and its background runner; tasks left unfinished in `dataDir` resume at once. */
export const createSimulator = (input: SimulatorOptions = {}): Simulator => {
  const options = resolveSimulatorOptions(input);
  const store = createTaskStore(options.dataDir);
  const signer = createDownloadSigner(loadOrCreateSecret(options.dataDir));
  const runner = createGenerationRunner(store, options);
  const faults = createFaults(options.faults, options.random);
  const rate = createRateWindow(options.rpm, options.rpmWindowMs);
  const minimax = createMinimaxRoutes({ store, runner, signer, rate, options });

  const app = new Hono();
  app.use(addLatency(options.latencyMs));
  app.get("/health", (context) => context.json({ status: "ok" }));
  app.get("/sim/stats", (context) => context.json({ ...faults.stats(), rateLimited: rate.refused() }));
  app.use("/api/*", faults.apiFaults);
  app.use(
    "/api/*",
    requireBearer(options.apiKey),
    injectErrors(options),
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new SimulatorHttpError(413, "The request body is too large");
      },
    }),
  );
  app.use("/api/v1/videos/generations", limitSeedCreates(rate));
  app.route("/api/v1", createTaskRoutes({ store, runner, signer, options }));
  app.route("/files", createFileRoutes({ store, signer, videoBytes: options.faults.videoBytes ?? 0 }));
  app.route("/v1", minimax.app);
  app.notFound(() => {
    throw new SimulatorHttpError(404, "Not found");
  });
  app.onError((error, context) => {
    if (error instanceof SimulatorHttpError) {
      for (const [name, value] of Object.entries(error.headers)) context.header(name, value);
      return context.json(errorBody(error.status, error.message), error.status);
    }
    const status = (error as { status?: unknown }).status;
    if (typeof status === "number" && isErrorStatus(status) && status < 500) {
      return context.json(errorBody(status, error.message), status);
    }
    options.logger(`internal error on ${context.req.method} ${context.req.path}: ${error.stack ?? error}`);
    return context.json(errorBody(500, "Internal error"), 500);
  });

  runner
    .resumeUnfinished()
    .then((count) => count > 0 && options.logger(`resumed ${count} unfinished task(s)`))
    .catch((error: unknown) => options.logger(`could not resume tasks: ${String(error)}`));

  const close = async (): Promise<void> => {
    minimax.close();
    await runner.close();
  };
  return { app, options, stats: faults.stats, rateLimited: rate.refused, close };
};

export const createSimulatorApp = (options: SimulatorOptions = {}): Hono => createSimulator(options).app;

/** Listens on 127.0.0.1 (`port` 0 picks a free one). */
export const startSimulator = async (input: SimulatorOptions = {}): Promise<RunningSimulator> => {
  const simulator = createSimulator(input);
  const { app, options } = simulator;
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve, reject) => {
      const server = serve({ fetch: app.fetch, port: options.port, hostname: "127.0.0.1" }, (info) =>
        resolve({ server, port: info.port }),
      );
      server.once("error", reject);
    },
  );
  const url = `http://127.0.0.1:${port}`;
  options.logger(`simulator listening on ${url} (data in ${options.dataDir})`);
  return {
    url,
    port,
    dataDir: options.dataDir,
    stats: simulator.stats,
    rateLimited: simulator.rateLimited,
    close: async () => {
      await simulator.close();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets of test clients would otherwise hold the close for seconds.
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
    },
  };
};
