import type { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import pLimit from "p-limit";
import type { UpstreamProvider } from "./ports.js";

/**
 * The provider behind `slots` places: at most that many status polls and video downloads run at
 * once, however many steps are under way. A poll holds its place for the call; a video holds it
 * until its stream has ended, failed or been destroyed (`for await` over it does one of these on
 * every path), so copies too stay within the slots. The sweep runs more steps than slots, so a
 * step's own DynamoDB reads and writes overlap other steps' waits on the provider, and the
 * provider, the slow part, is kept busy. Creates pass straight through: the upstream pace has
 * counted each in its window already, and one that waited here could land in the provider's next.
 */
export function withUpstreamSlots(upstream: UpstreamProvider, slots: number): UpstreamProvider {
  const limit = pLimit(slots);
  return {
    name: upstream.name,
    ...(upstream.acceptsCallbacks === undefined ? {} : { acceptsCallbacks: upstream.acceptsCallbacks }),
    createTask: (request) => upstream.createTask(request),
    getTask: (taskId) => limit(() => upstream.getTask(taskId)),
    openVideo: (videoUrl, options) =>
      new Promise<Readable>((resolve, reject) => {
        void limit(async () => {
          let stream: Readable;
          try {
            stream = await upstream.openVideo(videoUrl, options);
          } catch (error) {
            reject(error);
            return;
          }
          resolve(stream);
          await finished(stream).catch(() => undefined);
        });
      }),
  };
}
