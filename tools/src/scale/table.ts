/** The benchmark's figures as text tables: one row per step, one column group per factor. */

/** One step's figures at one factor; `null` time when the step failed. */
export interface StepFigure {
  seconds: number | null;
  /** Peak resident memory of the largest process of the step, in MiB (null when unknown). */
  peakMiB: number | null;
  exitCode: number;
}

export interface FactorResult {
  factor: number;
  steps: Map<string, StepFigure>;
  counts: Map<string, number | null>;
}

/**
 * How a cost grows with the spec: log(t2/t1) / log(f2/f1). 1 is linear, 2 quadratic, 0 constant.
 * Null when either figure is missing or zero.
 */
export function growthExponent(
  f1: number,
  t1: number | null,
  f2: number,
  t2: number | null,
): number | null {
  if (t1 === null || t2 === null || t1 <= 0 || t2 <= 0 || f1 === f2) return null;
  return Math.log(t2 / t1) / Math.log(f2 / f1);
}

function cell(value: string, width: number, left = false) {
  return left ? value.padEnd(width) : value.padStart(width);
}

function renderRows(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) =>
    Math.max(...rows.map((row) => row[column]?.length ?? 0)),
  );
  return rows
    .map((row) =>
      row.map((value, column) => cell(value, widths?.[column] ?? 0, column === 0)).join("  "),
    )
    .join("\n");
}

const seconds = (figure: StepFigure | undefined) =>
  figure === undefined
    ? "-"
    : figure.seconds === null
      ? `FAIL(${figure.exitCode})`
      : `${figure.seconds.toFixed(1)} s`;
const mebibytes = (figure: StepFigure | undefined) =>
  figure?.peakMiB == null ? "-" : `${Math.round(figure.peakMiB)} MiB`;
const exponent = (value: number | null) => (value === null ? "-" : value.toFixed(2));

/** Times and peak memory per step and factor, then the growth exponent between consecutive factors. */
export function timesTable(results: FactorResult[]): string {
  const steps = [...new Set(results.flatMap((result) => [...result.steps.keys()]))];
  const pairs = results.slice(1).map((result, index) => [results[index] as FactorResult, result]);
  const header = [
    "step",
    ...results.flatMap((result) => [`${result.factor}x time`, `${result.factor}x peak RSS`]),
    ...pairs.map(([a, b]) => `exp ${a?.factor}x→${b?.factor}x`),
  ];
  const rows = steps.map((step) => [
    step,
    ...results.flatMap((result) => [
      seconds(result.steps.get(step)),
      mebibytes(result.steps.get(step)),
    ]),
    ...pairs.map(([a, b]) =>
      exponent(
        growthExponent(
          a?.factor ?? 0,
          a?.steps.get(step)?.seconds ?? null,
          b?.factor ?? 0,
          b?.steps.get(step)?.seconds ?? null,
        ),
      ),
    ),
  ]);
  return renderRows([header, ...rows]);
}

/** What each factor's spec and outputs hold, with the same growth exponents. */
export function countsTable(results: FactorResult[]): string {
  const names = [...new Set(results.flatMap((result) => [...result.counts.keys()]))];
  const pairs = results.slice(1).map((result, index) => [results[index] as FactorResult, result]);
  const header = [
    "count",
    ...results.map((result) => `${result.factor}x`),
    ...pairs.map(([a, b]) => `exp ${a?.factor}x→${b?.factor}x`),
  ];
  const rows = names.map((name) => [
    name,
    ...results.map((result) => String(result.counts.get(name) ?? "-")),
    ...pairs.map(([a, b]) =>
      exponent(
        growthExponent(
          a?.factor ?? 0,
          a?.counts.get(name) ?? null,
          b?.factor ?? 0,
          b?.counts.get(name) ?? null,
        ),
      ),
    ),
  ]);
  return renderRows([header, ...rows]);
}

/** `--factor 1,10,100` → [1, 10, 100], refusing anything that is not increasing whole numbers ≥ 1. */
export function parseFactors(text: string): number[] {
  const factors = text.split(",").map((part) => Number(part.trim()));
  const valid =
    factors.length > 0 &&
    factors.every(
      (factor, index) =>
        Number.isInteger(factor) &&
        factor >= 1 &&
        (index === 0 || factor > (factors[index - 1] ?? 0)),
    );
  if (!valid) {
    throw new Error(
      `--factor takes increasing whole numbers of at least 1, separated by commas (e.g. --factor 1,10,100); got "${text}".`,
    );
  }
  return factors;
}
