import { describe, expect, it } from "vitest";
import { createRequestSchema, describeIssue } from "../../functions/core/create-request.js";

const publicSchema = createRequestSchema({ allowPrivateUrls: false });
const localSchema = createRequestSchema({ allowPrivateUrls: true });
const example = {
  model: "hailuo/2-3-image-to-video-standard",
  prompt: "A golden retriever running through a sunflower field at sunset, slow motion",
  image: "https://example.com/golden-retriever.jpg",
  duration: "6",
  resolution: "768P",
};

function problem(body: unknown, schema = publicSchema): string | undefined {
  const result = schema.safeParse(body);
  return result.success ? undefined : describeIssue(result.error).message;
}

describe("the create request", () => {
  it("accepts the public API's example request as it is", () => {
    expect(publicSchema.parse(example)).toEqual({ ...example, prompt_optimizer: true });
  });

  it("fills the defaults: standard model, 6 s, 768P, prompt optimizer on", () => {
    const parsed = publicSchema.parse({ prompt: "p", image: example.image });
    expect(parsed).toMatchObject({
      model: "hailuo/2-3-image-to-video-standard",
      duration: "6",
      resolution: "768P",
      prompt_optimizer: true,
    });
  });

  it("accepts numbers for duration, any case for resolution, and the hailuo-2-3 alias", () => {
    const parsed = publicSchema.parse({ ...example, model: "hailuo-2-3", duration: 10, resolution: "768p" });
    expect(parsed).toMatchObject({
      model: "hailuo/2-3-image-to-video-standard",
      duration: "10",
      resolution: "768P",
    });
  });

  it("takes null in an optional field as absent, and still names a required field sent as null", () => {
    const parsed = publicSchema.parse({
      ...example,
      model: null,
      duration: null,
      resolution: null,
      callback_url: null,
      prompt_optimizer: null,
      metadata: null,
    });
    expect(parsed).toEqual({ ...example, prompt_optimizer: true });
    expect(parsed).not.toHaveProperty("callback_url");
    expect(problem({ ...example, prompt: null })).toContain("prompt is required");
    expect(problem({ ...example, image: null })).toContain("image is required");
  });

  it("ignores fields it does not know instead of rejecting them", () => {
    const parsed = publicSchema.parse({ ...example, aspect_ratio: "16:9", sound: true });
    expect(parsed).not.toHaveProperty("aspect_ratio");
  });

  it("passes camera commands in the prompt through untouched", () => {
    expect(publicSchema.parse({ ...example, prompt: "[Pan left] a cat [Push in]" }).prompt).toBe(
      "[Pan left] a cat [Push in]",
    );
  });

  it("names the field in every refusal", () => {
    expect(problem({ ...example, duration: "7" })).toBe('duration must be "6" or "10"');
    expect(problem({ ...example, resolution: "4K" })).toContain("resolution");
    expect(problem({ ...example, model: "sora" })).toContain("model");
    expect(problem({ ...example, prompt: "" })).toContain("prompt");
    expect(problem({ ...example, prompt: "x".repeat(2001) })).toContain("2000");
    expect(problem({ ...example, image: undefined })).toContain("image");
    expect(problem({ ...example, metadata: { a: 1 } })).toContain("metadata");
    expect(problem({ ...example, prompt_optimizer: "yes" })).toContain("prompt_optimizer");
  });

  it("refuses 10 s at 1080P", () => {
    expect(problem({ ...example, duration: "10", resolution: "1080P" })).toContain(
      '1080P allows a duration of "6" only',
    );
  });

  it("refuses plain http and private hosts when deployed, and allows them locally", () => {
    expect(problem({ ...example, image: "http://example.com/a.jpg" })).toContain("https");
    expect(problem({ ...example, image: "https://127.0.0.1/a.jpg" })).toContain("public host");
    expect(problem({ ...example, callback_url: "https://192.168.1.2/hook" })).toContain("callback_url");
    expect(
      problem({ ...example, image: "http://127.0.0.1:3000/dev/example.jpg" }, localSchema),
    ).toBeUndefined();
  });

  it("accepts image data URLs of the three formats and nothing else", () => {
    expect(problem({ ...example, image: "data:image/png;base64,iVBORw0KGgo=" })).toBeUndefined();
    expect(problem({ ...example, image: "data:image/gif;base64,R0lGOD" })).toContain("image");
  });

  it("limits metadata to 16 string entries", () => {
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, "v"]));
    expect(problem({ ...example, metadata: many })).toContain("16");
    expect(problem({ ...example, metadata: { ["k".repeat(41)]: "v" } })).toContain("40");
    expect(problem({ ...example, metadata: { "": "v" } })).toBe("metadata keys must not be empty");
  });
});
