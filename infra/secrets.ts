/** The upstream provider's API key: `npx sst secret set UpstreamApiKey <key> --stage <stage>`. */
export const upstreamApiKey = new sst.Secret("UpstreamApiKey");

/**
 * MiniMax's own API key, for DEPLOY_UPSTREAM=minimax: `npx sst secret set MinimaxApiKey <key>`.
 * Its placeholder lets stages on API in One deploy without one; settings refuse minimax without a key.
 */
export const minimaxKeyPlaceholder = "unset";
export const minimaxApiKey = new sst.Secret("MinimaxApiKey", minimaxKeyPlaceholder);
