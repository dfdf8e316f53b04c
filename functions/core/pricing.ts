import type { Duration, Model, Resolution } from "./create-request.js";
import { InternalError } from "./errors.js";

export type PriceTable = Record<Model, Partial<Record<`${Duration}s-${Resolution}`, number>>>;

/** The public price list, in credits per task. Configurable through `Settings.priceTable`. */
export const defaultPriceTable: PriceTable = {
  "hailuo/2-3-image-to-video-standard": { "6s-768P": 30, "10s-768P": 45, "6s-1080P": 45 },
  "hailuo/2-3-image-to-video-pro": { "6s-768P": 45, "10s-768P": 65, "6s-1080P": 85 },
};

export function priceOf(
  task: { model: Model; duration: Duration; resolution: Resolution },
  table: PriceTable = defaultPriceTable,
): number {
  const price = table[task.model][`${task.duration}s-${task.resolution}`];
  if (price === undefined) {
    throw new InternalError(`no price for ${task.model} ${task.duration}s ${task.resolution}`);
  }
  return price;
}
