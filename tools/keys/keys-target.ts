import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { localDefaults } from "../../local/stack/local-config.js";

/** Where `keys` reads and writes: a table, in AWS or in a DynamoDB Local. */
export type KeysTarget = {
  tableName: string;
  region: string;
  /** Set for a DynamoDB Local; AWS otherwise (credentials from the environment). */
  endpoint?: string;
  /** Said before anything is written, so a shell pointed at the wrong place shows it at once. */
  description: string;
};

/** SST writes the outputs of the last `sst deploy` (sst.config.ts returns api, bucket, table) here. */
export const sstOutputsFile = join(".sst", "outputs.json");

/**
 * The table to work on, the first that applies: the local stack when asked (`--local`) or when the
 * shell names a DynamoDB Local (`DYNAMODB_ENDPOINT`, `DYNAMODB_PORT`); `TABLE_NAME` in AWS; the
 * `table` of the last deploy in `.sst/outputs.json`; else `npm start`'s own table, on its default port.
 */
export function resolveKeysTarget(
  env: Record<string, string | undefined>,
  options: { cwd: string; local?: boolean },
): KeysTarget {
  const region = env.AWS_REGION || "us-east-1";
  const localTable = env.TABLE_NAME || localDefaults.TABLE_NAME;
  const localEndpoint =
    env.DYNAMODB_ENDPOINT || `http://127.0.0.1:${env.DYNAMODB_PORT || localDefaults.DYNAMODB_PORT}`;
  const local = (why: string): KeysTarget => ({
    tableName: localTable,
    region,
    endpoint: localEndpoint,
    description: `table ${localTable} in the DynamoDB Local at ${localEndpoint} (${why})`,
  });
  if (options.local) return local("--local");
  if (env.DYNAMODB_ENDPOINT) return local("DYNAMODB_ENDPOINT is set; unset it to reach AWS");
  if (env.DYNAMODB_PORT) return local("DYNAMODB_PORT is set");
  if (env.TABLE_NAME) {
    return {
      tableName: env.TABLE_NAME,
      region,
      description: `table ${env.TABLE_NAME} in AWS ${region} (TABLE_NAME)`,
    };
  }
  const deployed = deployedTable(join(options.cwd, sstOutputsFile));
  if (deployed) {
    return {
      tableName: deployed,
      region,
      description: `table ${deployed} in AWS ${region} (the last deploy's ${sstOutputsFile})`,
    };
  }
  return local(`npm start's table: no TABLE_NAME and no ${sstOutputsFile}`);
}

function deployedTable(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  let outputs: unknown;
  try {
    outputs = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new Error(`${file} is not JSON; set TABLE_NAME to name the table`);
  }
  const table = (outputs as { table?: unknown } | null)?.table;
  return typeof table === "string" && table !== "" ? table : undefined;
}
