/** `npm run reset`: wipes the local stack's data (tables, objects, simulator state, webhook secret). */
import { rmSync } from "node:fs";
import { readLocalConfig } from "./stack/local-config.js";

const { dataDir } = readLocalConfig(process.env);
rmSync(dataDir, { recursive: true, force: true });
console.log(`removed ${dataDir}`);
