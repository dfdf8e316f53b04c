import { Resource } from "sst";

/**
 * On AWS, SST links the table, the bucket and the upstream key (`Resource.*`, typed by
 * sst-env.d.ts, so a link renamed or dropped there fails the type-check); this maps them onto the
 * same variable names the local stack sets, so that settings.ts has one source to parse. Each is
 * read only when linked to this function (notify has no bucket link); outside SST nothing is
 * linked and this adds nothing.
 */
export function linkedEnvironment(): Record<string, string> {
  const linked: Record<string, string> = {};
  if ("Tasks" in Resource) linked.TABLE_NAME = Resource.Tasks.name;
  if ("Media" in Resource) linked.BUCKET = Resource.Media.name;
  if ("UpstreamApiKey" in Resource) linked.UPSTREAM_API_KEY = Resource.UpstreamApiKey.value;
  // The secret's placeholder (infra/secrets.ts) means "not set", so settings can say the key is missing.
  if ("MinimaxApiKey" in Resource && Resource.MinimaxApiKey.value !== "unset") {
    linked.MINIMAX_API_KEY = Resource.MinimaxApiKey.value;
  }
  return linked;
}
