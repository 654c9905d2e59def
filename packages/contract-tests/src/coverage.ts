import { readFileSync } from "node:fs";
import { coverageKey, type DocumentedExample } from "./cases.js";

/** A documented example the gate does not require, with the reason a reviewer can check. */
export interface Exclusion extends DocumentedExample {
  reason: string;
}

export interface CoverageRow extends DocumentedExample {
  exercised: boolean;
  /** The exclusion's reason, when the example is excluded. */
  excluded: string | null;
}

export interface CoverageReport {
  rows: CoverageRow[];
  total: number;
  exercised: number;
  /** Exercised share of the documented examples that are not excluded, in percent. */
  percent: number;
  /** Why the gate fails; empty when it passes. */
  problems: string[];
}

/** Reads the exclusions file, refusing entries without a reason. */
export function loadExclusions(path: string): Exclusion[] {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as { exclusions?: unknown };
  if (!Array.isArray(parsed.exclusions))
    throw new Error(`${path}: expected {"exclusions": [...]}.`);
  return parsed.exclusions.map((entry: Partial<Exclusion>, index) => {
    for (const field of ["operationId", "status", "example", "reason"] as const) {
      if (typeof entry[field] !== "string" || entry[field].trim() === "") {
        throw new Error(
          `${path}: exclusions[${index}] needs a non-empty "${field}" (a reason a reader can check).`,
        );
      }
    }
    return entry as Exclusion;
  });
}

/**
 * Crosses what the spec documents with what passed. The gate fails on a documented example that
 * was not exercised and is not excluded, and on an exclusion that names nothing or is no longer needed.
 */
export function coverageReport(
  documented: DocumentedExample[],
  exercised: Set<string>,
  exclusions: Exclusion[],
): CoverageReport {
  const reasons = new Map(
    exclusions.map((exclusion) => [coverageKey(exclusion), exclusion.reason]),
  );
  const rows = documented.map((example) => ({
    ...example,
    exercised: exercised.has(coverageKey(example)),
    excluded: reasons.get(coverageKey(example)) ?? null,
  }));
  const problems: string[] = [];
  for (const row of rows) {
    if (!row.exercised && row.excluded === null) {
      problems.push(
        `${coverageKey(row)} was not exercised: make its case pass, or add it to exclusions.json with a reason`,
      );
    }
    if (row.exercised && row.excluded !== null) {
      problems.push(
        `${coverageKey(row)} is exercised but still listed in exclusions.json: remove the exclusion`,
      );
    }
  }
  const known = new Set(documented.map(coverageKey));
  for (const exclusion of exclusions) {
    if (!known.has(coverageKey(exclusion))) {
      problems.push(
        `exclusions.json names ${coverageKey(exclusion)}, which the spec does not document: remove it`,
      );
    }
  }
  const required = rows.filter((row) => row.excluded === null);
  const done = required.filter((row) => row.exercised).length;
  return {
    rows,
    total: rows.length,
    exercised: rows.filter((row) => row.exercised).length,
    percent: required.length === 0 ? 100 : Math.floor((done / required.length) * 1000) / 10,
    problems,
  };
}

function mark(row: CoverageRow): string {
  return row.exercised ? "yes" : row.excluded !== null ? `excluded: ${row.excluded}` : "NO";
}

export function toMarkdown(report: CoverageReport): string {
  const lines = [
    "# Contract coverage",
    "",
    `${report.exercised} of ${report.total} documented examples exercised (${report.percent}% of those not excluded).`,
    "",
    "| operation | status | example | exercised |",
    "| --- | --- | --- | --- |",
    ...report.rows.map(
      (row) => `| ${row.operationId} | ${row.status} | ${row.example} | ${mark(row)} |`,
    ),
  ];
  if (report.problems.length > 0)
    lines.push("", "## Gate failures", "", ...report.problems.map((problem) => `- ${problem}`));
  return `${lines.join("\n")}\n`;
}

/** The table as aligned plain text, for the terminal. */
export function toText(report: CoverageReport): string {
  const header = {
    operationId: "operation",
    status: "status",
    example: "example",
    mark: "exercised",
  };
  const cells = [header, ...report.rows.map((row) => ({ ...row, mark: mark(row) }))];
  const width = (key: keyof typeof header) => Math.max(...cells.map((cell) => cell[key].length));
  const widths = {
    operationId: width("operationId"),
    status: width("status"),
    example: width("example"),
  };
  const lines = cells.map(
    (cell) =>
      `${cell.operationId.padEnd(widths.operationId)}  ${cell.status.padEnd(widths.status)}  ${cell.example.padEnd(widths.example)}  ${cell.mark}`,
  );
  return [
    ...lines,
    `coverage: ${report.exercised}/${report.total} documented examples exercised (${report.percent}% of those not excluded)`,
  ].join("\n");
}
