/* Written by hand in the shape `sst dev`/`sst deploy` generate (they may rewrite it).
   test/infra/links.test.ts keeps it in step with the links in infra/. */
/* biome-ignore-all lint: generated shape */
import "sst";
declare module "sst" {
  export interface Resource {
    MinimaxApiKey: { type: "sst.sst.Secret"; value: string };
    Media: { name: string; type: "sst.aws.Bucket" };
    Tasks: { name: string; type: "sst.aws.Dynamo" };
    UpstreamApiKey: { type: "sst.sst.Secret"; value: string };
  }
}
export {};
