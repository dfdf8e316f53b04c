import { cpus, loadavg, totalmem } from "node:os";

/**
 * One measured figure beside the bound it is judged against. Absolute times drift on a shared
 * machine, so the bound is measured in the same run wherever one can be (an empty module's import,
 * a plain Upload of the same bytes, the floor route); a fixed bound (a size limit) says so.
 */
export type Figure = {
  /** What is measured, e.g. "api: import + init, median of 20". */
  label: string;
  value: number;
  unit: string;
  /** What the figure is set against, e.g. "empty ESM module" or "limit". */
  boundLabel: string;
  bound: number;
  /** value / bound. */
  ratio: number;
  /** The goal in words, e.g. "≤ 120 ms" or "ratio ≥ 0.7"; absent for figures shown for context. */
  goal?: string;
  /** Whether the goal is met; absent when there is no goal. */
  met?: boolean;
};

export type Machine = {
  cores: number;
  cpuModel: string;
  ramGb: number;
  node: string;
  platform: string;
  loadAverage: number[];
};

export type BenchResult = {
  name: string;
  title: string;
  date: string;
  durationSeconds: number;
  machine: Machine;
  /** The settings the run used (sizes, counts, intervals), to reproduce it. */
  parameters: Record<string, unknown>;
  figures: Figure[];
  /** Tables of supporting numbers, printed under the benchmark in docs/benchmarks.md. */
  details: Record<string, Record<string, string | number>[]>;
  /** What the figures mean, findings, why a goal is missed: markdown paragraphs. */
  notes: string[];
};

export type BenchOutput = Pick<BenchResult, "parameters" | "figures" | "details" | "notes">;

export type BenchContext = {
  /** One progress line on stderr, prefixed with the benchmark's name and the elapsed time. */
  progress(message: string): void;
};

export type Benchmark = {
  name: string;
  title: string;
  /** Markdown: what the benchmark does and how its bound is measured (the doc's fixed part). */
  about: string;
  /** Environment variables that change it, e.g. BENCH_COPY_BYTES. */
  knobs?: Record<string, string>;
  run(context: BenchContext): Promise<BenchOutput>;
};

export function machine(): Machine {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? "?",
    ramGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

/** A figure whose goal is on its ratio to the bound (`≥ 0.7 of the floor`). */
export function ratioFigure(
  label: string,
  value: number,
  unit: string,
  boundLabel: string,
  bound: number,
  goal?: { at: "least" | "most"; ratio: number },
): Figure {
  const ratio = value / bound;
  return {
    label,
    value,
    unit,
    boundLabel,
    bound,
    ratio,
    ...(goal
      ? {
          goal: `ratio ${goal.at === "least" ? "≥" : "≤"} ${goal.ratio}`,
          met: goal.at === "least" ? ratio >= goal.ratio : ratio <= goal.ratio,
        }
      : {}),
  };
}

/** A figure whose goal is an absolute value (`≤ 400 KB`), still printed with its ratio to a bound. */
export function valueFigure(
  label: string,
  value: number,
  unit: string,
  boundLabel: string,
  bound: number,
  goal?: { at: "least" | "most"; value: number },
): Figure {
  return {
    label,
    value,
    unit,
    boundLabel,
    bound,
    ratio: value / bound,
    ...(goal
      ? {
          goal: `${goal.at === "least" ? "≥" : "≤"} ${formatNumber(goal.value)} ${unit}`,
          met: goal.at === "least" ? value >= goal.value : value <= goal.value,
        }
      : {}),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The value below which `share` of `values` lie (nearest rank), e.g. 0.95 for p95. */
export function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))] ?? Number.NaN;
}

export function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString("en-US");
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  if (magnitude === 0) return "0";
  return value.toPrecision(2);
}

/** Rows of the final table: benchmark, figure, value, bound, ratio, goal, met. */
export function tableRows(results: BenchResult[]): string[][] {
  return results.flatMap((result) =>
    result.figures.map((figure) => [
      result.name,
      figure.label,
      `${formatNumber(figure.value)} ${figure.unit}`,
      `${formatNumber(figure.bound)} ${figure.unit} (${figure.boundLabel})`,
      figure.ratio.toFixed(2),
      figure.goal ?? "",
      figure.met === undefined ? "" : figure.met ? "yes" : "NO",
    ]),
  );
}

export const tableHeader = ["benchmark", "figure", "value", "bound", "ratio", "goal", "met"];

/** A plain-text table for the terminal. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ");
  return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

/** A markdown table; `|` in cells escaped. */
export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const cell = (value: string | number) => String(value).replaceAll("|", "\\|");
  return [
    `| ${header.map(cell).join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ].join("\n");
}
