import { freePort } from "../local/servers/free-port.js";
import { startS3Server } from "../local/servers/s3-server.js";

/** The benchmarks' S3 server, run by bench/server-process.ts: prints its endpoint, stops on SIGTERM. */
const storageDir = process.env.BENCH_S3_STORAGE_DIR;
if (!storageDir) throw new Error("BENCH_S3_STORAGE_DIR: the folder the S3 server keeps objects in");
const server = await startS3Server({ port: await freePort(), storageDir });
console.log(server.endpoint);
process.once("SIGTERM", async () => {
  await server.stop();
  process.exit(0);
});
