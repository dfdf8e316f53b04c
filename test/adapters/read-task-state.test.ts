import { describe, expect, it } from "vitest";
import { readTaskState } from "../../functions/adapters/upstream/seed-api-provider.js";

const videoUrl = "https://cdn.example.com/videos/abc.mp4";

describe("readTaskState", () => {
  it.each(["completed", "succeeded", "success", "succeed", "finished", "done", "SUCCESS", "Completed"])(
    "reads status %j with a video URL as succeeded",
    (status) => {
      expect(readTaskState({ status, video_url: videoUrl })).toEqual({ state: "succeeded", videoUrl });
    },
  );

  it.each(["failed", "failure", "error", "canceled", "cancelled", "expired", "FAILED"])(
    "reads status %j as failed",
    (status) => {
      expect(readTaskState({ status })).toMatchObject({ state: "failed" });
    },
  );

  it.each(["IN_PROGRESS", "in_progress", "processing", "pending", "queued", "running", "submitted", ""])(
    "reads status %j as running",
    (status) => {
      expect(readTaskState({ status })).toEqual({ state: "running" });
    },
  );

  it("reads the status from `state` when there is no `status`", () => {
    expect(readTaskState({ state: "succeeded", video_url: videoUrl })).toEqual({
      state: "succeeded",
      videoUrl,
    });
    expect(readTaskState({ state: "failed" })).toMatchObject({ state: "failed" });
  });

  it("reads a body without any status as running", () => {
    expect(readTaskState({})).toEqual({ state: "running" });
  });

  it("carries the progress of a running task when it is a number", () => {
    expect(readTaskState({ status: "IN_PROGRESS", progress: 42 })).toEqual({
      state: "running",
      progress: 42,
    });
    expect(readTaskState({ status: "IN_PROGRESS", progress: "42%" })).toEqual({ state: "running" });
  });

  it.each([
    ["video_url", { video_url: videoUrl }],
    ["output.video_url", { output: { video_url: videoUrl } }],
    ["result.video_url", { result: { video_url: videoUrl } }],
    ["output.videos[0]", { output: { videos: [videoUrl] } }],
  ])("finds the video URL in %s", (_where, fields) => {
    expect(readTaskState({ status: "completed", ...fields })).toEqual({ state: "succeeded", videoUrl });
  });

  it("prefers the top-level video_url when several are given", () => {
    const state = readTaskState({
      status: "completed",
      video_url: videoUrl,
      output: { video_url: "https://cdn.example.com/other.mp4" },
    });

    expect(state).toEqual({ state: "succeeded", videoUrl });
  });

  it("keeps a finished task running while it names no video URL yet", () => {
    expect(readTaskState({ status: "completed" })).toEqual({ state: "running" });
    expect(readTaskState({ status: "completed", video_url: "" })).toEqual({ state: "running" });
    expect(readTaskState({ status: "completed", output: { video_url: 17 } })).toEqual({ state: "running" });
  });

  it("takes the failure's code and message from `error`", () => {
    const state = readTaskState({
      status: "failed",
      error: { code: "content_moderation", message: "The image was flagged by content moderation" },
    });

    expect(state).toEqual({
      state: "failed",
      code: "content_moderation",
      message: "The image was flagged by content moderation",
    });
  });

  it("falls back to upstream_failed and the body's message when `error` says little", () => {
    expect(readTaskState({ status: "failed", message: "quota exhausted" })).toEqual({
      state: "failed",
      code: "upstream_failed",
      message: "quota exhausted",
    });
    expect(readTaskState({ status: "error", error: "the render crashed" })).toEqual({
      state: "failed",
      code: "upstream_failed",
      message: "the render crashed",
    });
    expect(readTaskState({ status: "failed", error: { code: 1026 } })).toEqual({
      state: "failed",
      code: "upstream_failed",
      message: "the upstream generation failed (upstream code 1026)",
    });
  });

  it("maps a provider's own failure codes onto our stable set, naming the original in the message", () => {
    expect(
      readTaskState({ status: "failed", error: { code: "ERR_RENDER_OOM", message: "out of memory" } }),
    ).toEqual({
      state: "failed",
      code: "upstream_failed",
      message: "out of memory (upstream code ERR_RENDER_OOM)",
    });
    expect(
      readTaskState({
        status: "failed",
        error: { code: "E1027", message: "input contains sensitive content" },
      }),
    ).toMatchObject({ state: "failed", code: "content_moderation" });
    expect(readTaskState({ status: "failed", error: { code: "image_unreachable", message: "404" } })).toEqual(
      {
        state: "failed",
        code: "image_unreachable",
        message: "404",
      },
    );
  });
});
