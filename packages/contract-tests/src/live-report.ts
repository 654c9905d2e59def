import type { LivePlan } from "./live-plan.js";
import type { CaseResult, LiveRun } from "./live-run.js";

/** The run in one line: counts, 429s, wall time, and what would let the cases not run run. */
export function summary(run: LiveRun, plan: LivePlan): string {
  const count = (verdict: CaseResult["verdict"]) =>
    run.results.filter((r) => r.verdict === verdict).length;
  const warned = run.results.filter((r) => r.warnings.length > 0).length;
  const notRun = count("not run");
  return [
    `live: ${count("pass")} passed, ${count("fail")} failed, ${notRun} not run, ${warned} with warnings`,
    `${run.tooManyRequests} × 429 met (each retried with the client's backoff)`,
    `${(run.wallMs / 1000).toFixed(1)} s`,
    ...(notRun > 0 && plan.missingEnv.length > 0
      ? [`to run the rest, set ${plan.missingEnv.join(", ")}`]
      : []),
  ].join("; ");
}

/** Per case: the request (never the key), the status received, the verdict and why. */
export function toText(run: LiveRun, plan: LivePlan): string {
  const rows = run.results.map((r) => [
    r.name,
    r.request,
    r.status === null ? "-" : String(r.status),
    r.verdict,
    reasons(r),
  ]);
  const header = ["case", "request", "got", "verdict", "why"];
  const widths = header.map((h, i) =>
    Math.min(60, Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ");
  return [line(header), ...rows.map(line), "", summary(run, plan)].join("\n");
}

export function toMarkdown(run: LiveRun, plan: LivePlan, target: string): string {
  const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
  const rows = run.results.map(
    (r) =>
      `| ${cell(r.name)} | \`${cell(r.request)}\` | ${r.status ?? "-"} | ${r.verdict} | ${cell(
        reasons(r),
      )} |`,
  );
  const changed = run.results.filter((r) => r.changesData && r.status !== null);
  return [
    "# Live run",
    "",
    `Against ${target}. ${summary(run, plan)}.`,
    "",
    `Requests that may have changed data on the account: ${changed.length} (${changed.map((r) => r.operationId).join(", ") || "none"}).`,
    "",
    "| case | request | got | verdict | why |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}

function reasons(r: CaseResult): string {
  return (
    [...r.why, ...r.warnings.map((w) => `warning: ${w}`), ...r.notes].join("; ") || "as documented"
  );
}
