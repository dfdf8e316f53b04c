import { execFile } from "node:child_process";

export type ProcessResult = { stdout: string; stderr: string };

export class ProcessFailedError extends Error {
  override name = "ProcessFailedError";
}

/** Runs a binary without a shell; an aborted signal kills the child (SIGKILL) and rejects. */
export const runProcess = (
  file: string,
  args: readonly string[],
  options: { signal?: AbortSignal; maxBufferBytes?: number } = {},
): Promise<ProcessResult> =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        signal: options.signal,
        killSignal: "SIGKILL",
        maxBuffer: options.maxBufferBytes ?? 16 * 1024 * 1024,
        encoding: "utf8",
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim().split("\n").slice(-5).join("\n");
          const message = `${file.split("/").pop()} failed: ${error.message}${detail ? `\n${detail}` : ""}`;
          reject(error.name === "AbortError" ? error : new ProcessFailedError(message, { cause: error }));
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
