import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Benchmark,
  type BenchResult,
  formatNumber,
  markdownTable,
  tableHeader,
  tableRows,
} from "./harness.js";

/** bench/results/<name>.json for every benchmark that has run, in the registry's order. */
export async function readResults(directory: string, benchmarks: Benchmark[]): Promise<BenchResult[]> {
  const files = new Set(await readdir(directory).catch(() => [] as string[]));
  const results: BenchResult[] = [];
  for (const benchmark of benchmarks) {
    const file = `${benchmark.name}.json`;
    if (!files.has(file)) continue;
    results.push(JSON.parse(await readFile(join(directory, file), "utf8")) as BenchResult);
  }
  return results;
}

/** docs/benchmarks.md, whole, from the results on disk: nothing in it is written by hand. */
export async function writeReport(
  path: string,
  benchmarks: Benchmark[],
  results: BenchResult[],
): Promise<void> {
  const byName = new Map(results.map((result) => [result.name, result]));
  const lines: string[] = [
    "# Benchmarks",
    "",
    "<!-- Written by `npm run bench` (bench/report.ts) from bench/results/*.json: edit the benchmark, not this page. -->",
    "",
    "Each figure is set against a bound measured **in the same run, on the same machine** (an empty",
    "module's import beside a bundle's, a bare DynamoDB transaction beside a whole create, a plain",
    "`Upload` of the same bytes beside a streamed copy), because absolute times drift on a shared",
    "machine; the ratio is what to compare between runs. A bound that is a fixed limit says so.",
    "",
    "## Reproduce",
    "",
    "```sh",
    "npm ci",
    "npm run bench                 # every benchmark, then this page is rewritten",
    "npm run bench -- cold-start   # one of them (its result replaces that benchmark's part here)",
    "```",
    "",
    "Nothing is mocked: DynamoDB Local (Java, in memory), the S3 server (fauxqs) and the Hailuo",
    "simulator run as local servers, started by the benchmark; the S3 server and the simulator of",
    "the timed benchmarks in processes of their own (bench/server-process.ts), as S3 and the upstream",
    "are other machines, so that their serving does not share the event loop being measured. The raw",
    "results are in `bench/results/<name>.json`. Knobs:",
    "",
  ];
  for (const benchmark of benchmarks) {
    for (const [name, meaning] of Object.entries(benchmark.knobs ?? {})) {
      lines.push(`- \`${name}\` (${benchmark.name}): ${meaning}`);
    }
  }
  lines.push("", "## Summary", "");
  const summary = tableRows(results);
  if (summary.length > 0) lines.push(markdownTable(tableHeader, summary), "");
  else lines.push("No benchmark has run yet.", "");

  for (const benchmark of benchmarks) {
    const result = byName.get(benchmark.name);
    lines.push(`## \`${benchmark.name}\`: ${benchmark.title}`, "");
    lines.push(`Command: \`npm run bench -- ${benchmark.name}\`. Code: \`bench/${benchmark.name}.ts\`.`, "");
    lines.push(benchmark.about.trim(), "");
    if (!result) {
      lines.push("_Not run yet._", "");
      continue;
    }
    const m = result.machine;
    lines.push(
      `**Run** ${result.date} in ${formatNumber(result.durationSeconds)} s on ${m.cores} cores (${m.cpuModel}), ` +
        `${m.ramGb} GB RAM, Node ${m.node} (${m.platform}), load average ${m.loadAverage.join(" / ")} at the start.`,
      "",
    );
    const parameters = Object.entries(result.parameters);
    if (parameters.length > 0) {
      lines.push(
        `Parameters: ${parameters.map(([key, value]) => `${key} = ${JSON.stringify(value)}`).join(", ")}.`,
        "",
      );
    }
    lines.push(
      markdownTable(
        tableHeader.slice(1),
        tableRows([result]).map((row) => row.slice(1)),
      ),
      "",
    );
    for (const [title, rows] of Object.entries(result.details)) {
      const first = rows[0];
      if (!first) continue;
      const header = Object.keys(first);
      lines.push(`${title}:`, "");
      lines.push(
        markdownTable(
          header,
          rows.map((row) => header.map((key) => cellOf(row[key]))),
        ),
        "",
      );
    }
    for (const note of result.notes) lines.push(note.trim(), "");
  }
  await writeFile(path, `${lines.join("\n").trimEnd()}\n`);
}

function cellOf(value: string | number | undefined): string {
  if (value === undefined) return "";
  return typeof value === "number" ? formatNumber(value) : value;
}
