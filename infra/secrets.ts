/** The upstream provider's API key: `npx sst secret set UpstreamApiKey <key> --stage <stage>`. */
export const upstreamApiKey = new sst.Secret("UpstreamApiKey");
