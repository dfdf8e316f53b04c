import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { ByteLimitExceeded, limitBytes, peekStream } from "../../functions/core/image/image-stream.js";

const chunks = (...parts: string[]) => Readable.from(parts.map((part) => Buffer.from(part)));

describe("peekStream", () => {
  it("hands back the first bytes and a stream of the whole", async () => {
    const { head, whole } = await peekStream(chunks("abc", "def", "ghi"), 4);

    expect(head.toString()).toBe("abcdef");
    expect((await buffer(whole)).toString()).toBe("abcdefghi");
  });

  it("takes a source shorter than the peek", async () => {
    const { head, whole } = await peekStream(chunks("ab"), 1024);

    expect(head.toString()).toBe("ab");
    expect((await buffer(whole)).toString()).toBe("ab");
  });

  it("releases the source when the whole is dropped unread (a refused image's download)", async () => {
    const source = new Readable({ read() {} });
    source.push(Buffer.from("header bytes"));
    const { whole } = await peekStream(source, 4);

    whole.destroy();
    await new Promise((resolve) => setImmediate(resolve));

    expect(source.destroyed).toBe(true);
  });
});

describe("limitBytes", () => {
  it("passes a stream within the limit and fails one past it", async () => {
    expect((await buffer(chunks("abc", "de").pipe(limitBytes(5)))).toString()).toBe("abcde");

    const limit = limitBytes(4);
    await expect(buffer(chunks("abc", "de").pipe(limit))).rejects.toBeInstanceOf(ByteLimitExceeded);
    expect(limit.exceeded).toBe(true);
  });
});
