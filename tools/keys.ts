/**
 * `npm run keys -- create --tenant acme [--credits N] [--rpm N] [--callback-url URL]`, `list`,
 * `revoke KEY_PREFIX`, `rotate-secret --tenant ID`, `add-credits --tenant ID N`: tenants and their
 * API keys, in the local stack's table or a deployment's (see tools/keys/keys-target.ts).
 */
import { runKeys } from "./keys/run-keys.js";

process.exitCode = await runKeys(
  process.argv.slice(2),
  { out: (text) => console.log(text), err: (text) => console.error(text) },
  { env: process.env, cwd: process.cwd() },
);
