import type { IncomingMessage, ServerResponse } from "node:http";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpImageSource } from "../../functions/adapters/images/http-image-source.js";
import { ImageFetchError } from "../../functions/core/errors.js";
import { type LocalHttpServer, startLocalHttpServer } from "../support/local-http-server.js";

type Route = (request: IncomingMessage, response: ServerResponse) => void;
const answer =
  (status: number, headers: Record<string, string> = {}, body = ""): Route =>
  (_, response) =>
    response.writeHead(status, headers).end(body);

describe("the HTTP image source", () => {
  let host: LocalHttpServer;
  beforeAll(async () => {
    host = await startLocalHttpServer({
      "/cat.jpg": answer(200, { "content-type": "image/jpeg" }, "jpeg bytes"),
      "/moved.jpg": answer(302, { location: "/cat.jpg" }),
      "/loop.jpg": answer(302, { location: "/loop.jpg" }),
      "/nowhere.jpg": answer(302),
      "/gone.jpg": answer(410),
      "/busy.jpg": answer(503),
      "/slow-down.jpg": answer(429),
      "/silent.jpg": () => {},
    });
  });
  afterAll(async () => host?.close());

  const source = (allowPrivateUrls = true) =>
    createHttpImageSource({ timeoutMs: 300, downloadTimeoutMs: 2_000, policy: { allowPrivateUrls } });

  async function failure(url: string, allowPrivateUrls = true): Promise<ImageFetchError> {
    const error = await source(allowPrivateUrls)
      .open(url)
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    if (!(error instanceof ImageFetchError)) throw new Error(`expected an ImageFetchError, got ${error}`);
    return error;
  }

  it("streams the image, following redirects", async () => {
    const image = await source().open(`${host.url}/moved.jpg`);

    expect(await text(image)).toBe("jpeg bytes");
  });

  it("refuses for good, without connecting, an image URL whose address is not public (deployed)", async () => {
    const error = await failure(`https://[::ffff:7f00:1]:443/cat.jpg`, false);

    expect(error).toMatchObject({ retryable: false });
    expect(error.message).toContain("the image URL is refused");
  });

  it("treats 4xx answers and broken redirects as permanent", async () => {
    expect(await failure(`${host.url}/gone.jpg`)).toMatchObject({
      retryable: false,
      message: "the image URL answered HTTP 410",
    });
    expect(await failure(`${host.url}/loop.jpg`)).toMatchObject({
      retryable: false,
      message: "the image URL redirects more than 3 times",
    });
    expect(await failure(`${host.url}/nowhere.jpg`)).toMatchObject({ retryable: false });
  });

  it("treats 5xx, 429, silence and refused connections as worth another try", async () => {
    for (const path of ["/busy.jpg", "/slow-down.jpg", "/silent.jpg"]) {
      expect(await failure(`${host.url}${path}`)).toMatchObject({ retryable: true });
    }
    expect(await failure("http://127.0.0.1:9/cat.jpg")).toMatchObject({ retryable: true });
  });

  it("never follows a redirect to a host the URL policy forbids", async () => {
    // No public https host can be served on this machine: the injected fetch answers the first hop
    // only; the redirect's target is the real local server, which the public policy must refuse.
    const strict = createHttpImageSource({
      timeoutMs: 300,
      downloadTimeoutMs: 2_000,
      policy: { allowPrivateUrls: false },
      fetch: async (input, init) =>
        String(input).startsWith("https://images.example.com/")
          ? new Response(null, { status: 302, headers: { location: `${host.url}/cat.jpg` } })
          : fetch(input, init),
    });
    const error = await strict.open("https://images.example.com/cat.jpg").catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ImageFetchError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toContain("must be an https URL");
  });
});
