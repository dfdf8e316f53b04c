// `npm run bench` runs every benchmark; `npm run bench -- cold-start create` only those named.
// Progress goes to stderr, the table of figures to stdout; each result is written to
// bench/results/<name>.json and docs/benchmarks.md is rewritten from all the results on disk.
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { coldStart } from "./cold-start.js";
import { copy } from "./copy.js";
import { cost } from "./cost.js";
import { create } from "./create.js";
import { type Benchmark, type BenchResult, machine, tableHeader, tableRows, textTable } from "./harness.js";
import { ingest1000 } from "./ingest-1000.js";
import { pushLatency } from "./push-latency.js";
import { readResults, writeReport } from "./report.js";
import { sweep } from "./sweep.js";
import { webhookLatency } from "./webhook-latency.js";

/** Every benchmark, in the order `npm run bench` runs them and the page lists them. */
const benchmarks: Benchmark[] = [
  coldStart,
  create,
  sweep,
  copy,
  webhookLatency,
  pushLatency,
  cost,
  ingest1000,
];

const resultsDirectory = fileURLToPath(new URL("./results/", import.meta.url));
const reportPath = fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url));

const known = new Map(benchmarks.map((benchmark) => [benchmark.name, benchmark]));
// `--report`: only rewrite docs/benchmarks.md from the results on disk.
const reportOnly = process.argv.includes("--report");
const wanted = process.argv.slice(2).filter((argument) => argument !== "--report");
const unknown = wanted.filter((name) => !known.has(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${[...known.keys()].join(", ")}`);
  process.exit(2);
}
const chosen = reportOnly
  ? []
  : wanted.length > 0
    ? benchmarks.filter((benchmark) => wanted.includes(benchmark.name))
    : benchmarks;

await mkdir(resultsDirectory, { recursive: true });
const startedAt = performance.now();
const ran: BenchResult[] = [];
const failed: string[] = [];
for (const [index, benchmark] of chosen.entries()) {
  const benchStartedAt = performance.now();
  const stamp = () => `${((performance.now() - startedAt) / 1000).toFixed(0).padStart(4)} s`;
  const progress = (message: string) => process.stderr.write(`[${stamp()}] ${benchmark.name}: ${message}\n`);
  progress(`started (${index + 1}/${chosen.length})`);
  const atStart = machine();
  try {
    const output = await benchmark.run({ progress });
    const result: BenchResult = {
      name: benchmark.name,
      title: benchmark.title,
      date: new Date().toISOString(),
      durationSeconds: Math.round((performance.now() - benchStartedAt) / 100) / 10,
      machine: atStart,
      ...output,
    };
    await writeFile(`${resultsDirectory}${benchmark.name}.json`, `${JSON.stringify(result, null, 2)}\n`);
    ran.push(result);
    for (const row of tableRows([result])) progress(row.slice(1).join(" | "));
    progress(`done in ${result.durationSeconds} s`);
  } catch (error) {
    failed.push(benchmark.name);
    progress(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

await writeReport(reportPath, benchmarks, await readResults(resultsDirectory, benchmarks));
// The page is checked by Biome like every file (`npm run check`): written in its format.
execFileSync(
  fileURLToPath(new URL("../node_modules/.bin/biome", import.meta.url)),
  ["format", "--write", reportPath],
  {
    stdio: "ignore",
  },
);
console.log(`\n${textTable(tableHeader, tableRows(ran))}\n`);
console.log(`results: bench/results/; page rewritten: docs/benchmarks.md`);
if (failed.length > 0) console.log(`failed: ${failed.join(", ")}`);
// The local servers' children die with this process (kill-with-parent); do not wait on idle sockets.
process.exit(failed.length > 0 ? 1 : 0);
