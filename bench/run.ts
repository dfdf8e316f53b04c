// Runs the benchmarks: `npm run bench` runs them all, `npm run bench -- ingest-1000` one of them.
import { runIngest1000 } from "./ingest-1000.js";

const benchmarks: Record<string, () => Promise<void>> = {
  "ingest-1000": runIngest1000,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${Object.keys(benchmarks).join(", ")}`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(benchmarks)) {
  console.log(`\n== ${name}`);
  await benchmarks[name]?.();
}
// The local servers' children die with this process (kill-with-parent); do not wait on idle sockets.
process.exit(0);
