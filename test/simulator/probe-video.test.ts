import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeVideo } from "../../local/media/probe-video.js";
import { renderZoomPanVideo } from "../../local/media/render-video.js";

const exampleImagePath = new URL("../../local/assets/example.jpg", import.meta.url).pathname;

describe("renderZoomPanVideo and probeVideo", () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "render-video-"));
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it("renders 10 s at 24 fps from a 16:9 image without being told the image size", async () => {
    const outputPath = join(folder, "ten-seconds.mp4");

    const dimensions = await renderZoomPanVideo({
      imagePath: exampleImagePath,
      outputPath,
      durationSeconds: 10,
      shortSide: 768,
    });

    expect(dimensions).toEqual({ width: 1366, height: 768 });
    const video = await probeVideo(outputPath);
    expect(video).toMatchObject({ codec: "h264", pixelFormat: "yuv420p", width: 1366, height: 768 });
    expect(video.durationSeconds).toBeCloseTo(10, 1);
  });

  it("kills ffmpeg and rejects when the signal aborts", async () => {
    const controller = new AbortController();
    const render = renderZoomPanVideo({
      imagePath: exampleImagePath,
      outputPath: join(folder, "aborted.mp4"),
      durationSeconds: 10,
      shortSide: 1080,
      imageSize: { width: 1920, height: 1080 },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);

    await expect(render).rejects.toThrow(/abort/i);
  });

  it("rejects for a file that is not a video", async () => {
    const path = join(folder, "text.mp4");
    await writeFile(path, "not a video at all");

    await expect(probeVideo(path)).rejects.toThrow();
  });
});
