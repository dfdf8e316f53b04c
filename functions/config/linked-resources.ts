import { Resource } from "sst";

/**
 * On AWS, SST links the table, the bucket and the upstream key (`Resource.*`); this maps them onto
 * the same variable names the local stack sets, so that settings.ts has one source to parse.
 * Outside SST nothing is linked and this adds nothing.
 */
export function linkedEnvironment(): Record<string, string> {
  const linked: Record<string, string> = {};
  const resources = Resource as unknown as Record<string, { name?: string; value?: string } | undefined>;
  if ("Tasks" in resources && resources.Tasks?.name) linked.TABLE_NAME = resources.Tasks.name;
  if ("Media" in resources && resources.Media?.name) linked.BUCKET = resources.Media.name;
  if ("UpstreamApiKey" in resources && resources.UpstreamApiKey?.value) {
    linked.UPSTREAM_API_KEY = resources.UpstreamApiKey.value;
  }
  return linked;
}
