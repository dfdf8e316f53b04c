import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeVideo } from "../../local/media/probe-video.js";
import { type RunningSimulator, startSimulator } from "../../local/simulator/create-simulator.js";
import { type LocalHttpServer, startLocalHttpServer } from "../support/local-http-server.js";
import { minimaxCreate, minimaxGet, minimaxKey, minimaxQuery, queryUntilEnd } from "./minimax-client.js";

const exampleImagePath = fileURLToPath(new URL("../../local/assets/example.jpg", import.meta.url));

describe("the simulator's MiniMax API", () => {
  let outside: LocalHttpServer;
  let simulator: RunningSimulator;
  let image: string;

  beforeAll(async () => {
    const exampleImage = await readFile(exampleImagePath);
    outside = await startLocalHttpServer({
      "/example.jpg": (_request, response) =>
        response.writeHead(200, { "content-type": "image/jpeg" }).end(exampleImage),
      // Echoes MiniMax's challenge, and answers pushes as MiniMax's sample server does.
      "/hook": (_request, response) => {
        const body = JSON.parse(outside.received.at(-1)?.body ?? "{}") as { challenge?: string };
        const answer = body.challenge === undefined ? { status: "success" } : { challenge: body.challenge };
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
      },
      "/deaf": (_request, response) => response.writeHead(200).end("{}"),
    });
    image = `${outside.url}/example.jpg`;
    simulator = await startSimulator({ generationMs: 1500, apiKey: minimaxKey });
  });

  afterAll(async () => {
    await simulator?.close();
    await outside?.close();
  });

  it("goes Preparing, Queueing, Processing, Success, and serves a real MP4 by file_id without auth", async () => {
    const created = await minimaxCreate(simulator.url, {
      model: "MiniMax-Hailuo-2.3-Fast",
      prompt: "A slow sunset [Push in]",
      first_frame_image: image,
    });
    expect(created.status).toBe(200);
    expect(created.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.body).toEqual({
      task_id: expect.stringMatching(/^\d{15}$/),
      base_resp: { status_code: 0, status_msg: "success" },
    });
    const taskId = String(created.body.task_id);

    const { last, seen } = await queryUntilEnd(simulator.url, taskId);

    // Which early stages a client sees depends on when it asks (see task-status.test.ts); their order does not.
    const order = ["Preparing", "Queueing", "Processing", "Success"];
    expect(seen.at(-1)).toBe("Success");
    expect(seen.map((status) => order.indexOf(status))).toEqual(
      [...seen.map((status) => order.indexOf(status))].sort(),
    );
    expect(last).toMatchObject({
      task_id: taskId,
      status: "Success",
      file_id: expect.stringMatching(/^\d{15}$/),
      video_width: 1366,
      video_height: 768,
      base_resp: { status_code: 0 },
    });
    const retrieved = await minimaxGet(simulator.url, `/v1/files/retrieve?file_id=${String(last.file_id)}`);
    const file = retrieved.file as Record<string, unknown>;
    expect(file).toMatchObject({ file_id: Number(last.file_id), purpose: "video_generation" });
    const video = await probeVideo(String(file.download_url));
    expect(video).toMatchObject({ codec: "h264", width: 1366, height: 768 });
    expect(video.durationSeconds).toBeCloseTo(6, 1);
  });

  it("checks the callback_url with a challenge, then pushes each status change in lower case", async () => {
    const created = await minimaxCreate(simulator.url, {
      model: "MiniMax-Hailuo-2.3",
      prompt: "Pushed",
      first_frame_image: image,
      callback_url: `${outside.url}/hook`,
    });
    const taskId = String(created.body.task_id);
    expect(created.body.base_resp.status_code).toBe(0);
    await queryUntilEnd(simulator.url, taskId);
    const hookBodies = () =>
      outside.received
        .filter((request) => request.path === "/hook")
        .map((request) => JSON.parse(request.body) as Record<string, unknown>);
    // The end's push leaves right after the status turns; wait for exactly that push.
    while (!hookBodies().some((body) => body.task_id === taskId && body.status === "success")) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const bodies = hookBodies();
    expect(bodies[0]).toEqual({ challenge: expect.any(String) });
    const pushes = bodies.filter((body) => body.task_id === taskId);
    expect(pushes.map((body) => body.status)).toEqual(["queueing", "processing", "success"]);
    expect(pushes.at(-1)).toMatchObject({
      file_id: expect.stringMatching(/^\d{15}$/),
      base_resp: { status_code: 0 },
    });
  });

  it("refuses a callback_url that does not echo the challenge with 2013 and HTTP 200", async () => {
    const created = await minimaxCreate(simulator.url, {
      model: "MiniMax-Hailuo-2.3",
      first_frame_image: image,
      callback_url: `${outside.url}/deaf`,
    });

    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      base_resp: { status_code: 2013, status_msg: "fail to check callback url" },
    });
  });

  it.each([
    [{ model: "hailuo-2-3", first_frame_image: "https://example.com/a.jpg" }, /model/],
    [{ model: "MiniMax-Hailuo-2.3" }, /first_frame_image/],
    [{ model: "MiniMax-Hailuo-2.3", first_frame_image: "ftp://x/a.jpg" }, /first_frame_image/],
    [{ model: "MiniMax-Hailuo-2.3", first_frame_image: "https://e.com/a.jpg", duration: 8 }, /duration/],
    [
      {
        model: "MiniMax-Hailuo-2.3",
        first_frame_image: "https://e.com/a.jpg",
        duration: 10,
        resolution: "1080P",
      },
      /1080P allows duration 6 only/,
    ],
  ])("answers 2013 naming the field for %j", async (body, message) => {
    const created = await minimaxCreate(simulator.url, body);

    expect(created.status).toBe(200);
    expect(created.body.base_resp.status_code).toBe(2013);
    expect(created.body.base_resp.status_msg).toMatch(message);
  });

  it("answers 1004 without a key and 2049 with a wrong one", async () => {
    const body = { model: "MiniMax-Hailuo-2.3", first_frame_image: image };
    const missing = await fetch(`${simulator.url}/v1/video_generation`, { method: "POST", body: "{}" });
    expect(((await missing.json()) as { base_resp: { status_code: number } }).base_resp.status_code).toBe(
      1004,
    );
    expect((await minimaxCreate(simulator.url, body, "wrong")).body.base_resp.status_code).toBe(2049);
  });

  it("answers the code a test asks for in the prompt, and 2013 for unknown task and file ids", async () => {
    const forced = await minimaxCreate(simulator.url, {
      model: "MiniMax-Hailuo-2.3",
      prompt: "[sim:base_resp=1008]",
      first_frame_image: image,
    });
    expect(forced.body.base_resp.status_code).toBe(1008);
    expect((await minimaxQuery(simulator.url, "123")).base_resp.status_code).toBe(2013);
    expect((await minimaxGet(simulator.url, "/v1/files/retrieve?file_id=1")).base_resp.status_code).toBe(
      2013,
    );
  });
});

describe("the simulator's MiniMax API under faults and limits", () => {
  let simulator: RunningSimulator | undefined;
  const image = "data:image/jpeg;base64,";

  afterAll(async () => {
    await simulator?.close();
  });

  it("ends a failed generation with status Fail", async () => {
    simulator = await startSimulator({ generationMs: 100, failureRate: 1, apiKey: minimaxKey });
    const exampleImage = (await readFile(exampleImagePath)).toString("base64");
    const created = await minimaxCreate(simulator.url, {
      model: "MiniMax-Hailuo-2.3",
      first_frame_image: `${image}${exampleImage}`,
    });

    const { last } = await queryUntilEnd(simulator.url, String(created.body.task_id));

    expect(last.status).toBe("Fail");
    expect(last.file_id).toBe("");
    await simulator.close();
    simulator = undefined;
  });

  it("answers 1002 on the MiniMax side and 429 on the seed side past SIM_RPM, and counts them", async () => {
    simulator = await startSimulator({ generationMs: 100, rpm: 1, rpmWindowMs: 60_000, apiKey: minimaxKey });
    const body = { model: "MiniMax-Hailuo-2.3", first_frame_image: "https://example.com/a.jpg" };

    const first = await minimaxCreate(simulator.url, body);
    const second = await minimaxCreate(simulator.url, body);
    const seed = await fetch(`${simulator.url}/api/v1/videos/generations`, {
      method: "POST",
      headers: { authorization: `Bearer ${minimaxKey}`, "content-type": "application/json" },
      body: JSON.stringify({ prompt: "x", image: "https://example.com/a.jpg" }),
    });

    expect(first.body.base_resp.status_code).toBe(0);
    expect(second.status).toBe(200);
    expect(second.body.base_resp).toEqual({ status_code: 1002, status_msg: "rate limit exceeded(RPM)" });
    expect(seed.status).toBe(429);
    expect(Number(seed.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(simulator.rateLimited()).toBe(2);
    await simulator.close();
    simulator = undefined;
  });

  it("answers 1002, 1000 or 1024 with HTTP 200 under SIM_ERROR_RATE", async () => {
    // Each call draws twice (whether to fail, then which failure): this sequence picks each in turn.
    let draw = 0;
    const random = () => (draw++ % 6) / 6;
    simulator = await startSimulator({ generationMs: 100, errorRate: 1, random, apiKey: minimaxKey });
    const codes: number[] = [];
    for (let call = 0; call < 3; call++) {
      const created = await minimaxCreate(simulator.url, { model: "MiniMax-Hailuo-2.3" });
      expect(created.status).toBe(200);
      codes.push(created.body.base_resp.status_code);
    }
    expect(codes).toEqual([1002, 1000, 1024]);
  });
});
