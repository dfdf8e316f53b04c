/**
 * The settings the local stack hands to the very handlers' code: the same variable names as on
 * AWS (functions/config/settings.ts), pointed at the local servers.
 */
export function localEnvironment(parts: {
  tableName: string;
  bucket: string;
  dynamoEndpoint: string;
  s3Endpoint: string;
  upstreamUrl: string;
  upstreamApiKey?: string;
  upstream?: "simulator" | "apiinone" | "minimax";
  inboxTenantId?: string;
}): Record<string, string> {
  return {
    TABLE_NAME: parts.tableName,
    BUCKET: parts.bucket,
    AWS_REGION: "us-east-1",
    DYNAMODB_ENDPOINT: parts.dynamoEndpoint,
    S3_ENDPOINT: parts.s3Endpoint,
    UPSTREAM: parts.upstream ?? "simulator",
    UPSTREAM_BASE_URL: parts.upstreamUrl,
    UPSTREAM_API_KEY: parts.upstreamApiKey ?? "local-simulator-key",
    ALLOW_PRIVATE_URLS: "true",
    INBOX_TENANT_ID: parts.inboxTenantId ?? "local",
    // One machine can afford to ask more often than a deployment would.
    UPSTREAM_POLL_INTERVAL_MS: "2000",
    POLL_INTERVAL_MS: "1000",
    // A terminal is read by a person: one short line per log record and metric (LOG_FORMAT=json: as on AWS).
    LOG_FORMAT: "pretty",
  };
}
