import { type Duration, type Model, models, type Resolution } from "./create-request.js";
import { InternalError } from "./errors.js";
import * as z from "./validation.js";

/** The combinations a task can be: 1080P allows 6 s only. */
export const priceKeys = ["6s-768P", "10s-768P", "6s-1080P"] as const;
export type PriceKey = (typeof priceKeys)[number];

export type PriceTable = Record<Model, Record<PriceKey, number>>;

/** The public price list, in credits per task. Configurable through `Settings.priceTable`. */
export const defaultPriceTable: PriceTable = {
  "hailuo/2-3-image-to-video-standard": { "6s-768P": 30, "10s-768P": 45, "6s-1080P": 45 },
  "hailuo/2-3-image-to-video-pro": { "6s-768P": 45, "10s-768P": 65, "6s-1080P": 85 },
};

const price = z
  .number({ error: "required: a whole number of credits" })
  .check(
    z.int({ error: "must be a whole number of credits" }),
    z.nonnegative({ error: "must not be negative" }),
  );

const modelPrices = z.object(
  Object.fromEntries(priceKeys.map((key) => [key, price])) as Record<PriceKey, typeof price>,
  { error: `required: an object with ${priceKeys.join(", ")}` },
);

/**
 * A price for every model and every combination, so that no accepted request can lack one.
 * Issues name the path (`hailuo/2-3-image-to-video-pro.10s-768P`).
 */
export const priceTableSchema = z.object(
  Object.fromEntries(models.map((model) => [model, modelPrices])) as Record<Model, typeof modelPrices>,
  { error: "must be an object keyed by model" },
);

export function priceOf(
  task: { model: Model; duration: Duration; resolution: Resolution },
  table: PriceTable = defaultPriceTable,
): number {
  const price = (table[task.model] as Partial<Record<string, number>>)[
    `${task.duration}s-${task.resolution}`
  ];
  if (price === undefined) {
    throw new InternalError(`no price for ${task.model} ${task.duration}s ${task.resolution}`);
  }
  return price;
}
