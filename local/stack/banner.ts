import { exampleRequest } from "./example-request.js";
import type { LocalConfig } from "./local-config.js";

/** What `npm start` prints once everything answers: endpoints, key, and the example request. */
export function banner(config: LocalConfig, upstreamUrl: string): string {
  const api = `http://${config.HOST}:${config.PORT}`;
  const example = exampleRequest(api);
  return [
    "",
    "hailuo-gateway local stack is up",
    "",
    `  API            ${api}          (GET /health)`,
    `  API key        ${config.LOCAL_API_KEY}`,
    `  S3             http://${config.HOST}:${config.S3_PORT}     bucket ${config.BUCKET} (any credentials, path-style)`,
    `  DynamoDB       http://${config.HOST}:${config.DYNAMODB_PORT}     table ${config.TABLE_NAME}`,
    `  Upstream       ${upstreamUrl}     (${config.UPSTREAM})`,
    `  Console        ${api}/console   (paste the API key above)`,
    `  Webhook inbox  ${api}/dev/webhooks`,
    `  Data           ${config.dataDir}   (npm run reset wipes it)`,
    "",
    "Create a task (the public API's example request; the image is served locally):",
    "",
    `curl -s ${api}/api/v1/videos/generations \\`,
    `  -H "Authorization: Bearer ${config.LOCAL_API_KEY}" -H "Content-Type: application/json" \\`,
    `  -d '${JSON.stringify(example)}'`,
    "",
    "Then follow it (put the task_id in):",
    "",
    `curl -s ${api}/api/v1/tasks/TASK_ID -H "Authorization: Bearer ${config.LOCAL_API_KEY}"`,
    "",
    "Or drop images into the bucket's inbox/ folder (any S3 client works; see docs/drop-folder.md):",
    "",
    `npm run drop -- local/assets/example.jpg --prompt "The dog turns its head"`,
    "",
    "Either way the webhook lands in the inbox above. Ctrl-C stops everything.",
    "",
  ].join("\n");
}
