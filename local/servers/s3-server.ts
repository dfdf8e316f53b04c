import { mkdir } from "node:fs/promises";
import { startFauxqs } from "fauxqs";

export type S3ServerOptions = {
  port: number;
  /** Persist objects as plain files there (fauxqs `s3StorageDir`); omit to keep everything in memory. */
  storageDir?: string;
};

export type RunningS3Server = { endpoint: string; stop(): Promise<void> };

/**
 * The local S3: fauxqs embedded in this process. Path-style requests, region us-east-1, any
 * credentials. It emits no S3 notifications; put `startS3NotifyingFront` before it for those.
 * fauxqs 2.4.1 always listens on 0.0.0.0 (its `host` option only names the host of SQS queue
 * URLs), so it is reachable from the local network, with any credentials.
 */
export async function startS3Server(options: S3ServerOptions): Promise<RunningS3Server> {
  if (options.storageDir) await mkdir(options.storageDir, { recursive: true });
  const server = await startFauxqs({
    port: options.port,
    logger: false,
    defaultRegion: "us-east-1",
    ...(options.storageDir ? { s3StorageDir: options.storageDir } : {}),
  });
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    stop: () => {
      stopped ??= server.stop();
      return stopped;
    },
  };
}
