import type { LivePlan } from "./live-plan.js";
import type { CaseResult, LiveRun } from "./live-run.js";

/** The run in one line: counts, 429s, wall time, and what would let the cases not run run. */
export function summary(run: LiveRun, plan: LivePlan): string {
  const count = (verdict: CaseResult["verdict"]) =>
    run.results.filter((r) => r.verdict === verdict).length;
  const notRun = count("not run");
  return [
    `live: ${count("pass")} passed, ${count("fail")} failed, ${notRun} not run`,
    `${run.tooManyRequests} × 429 met (each checked, then retried with the client's backoff)`,
    `${(run.wallMs / 1000).toFixed(1)} s`,
    ...(notRun > 0 && plan.missingEnv.length > 0
      ? [`to run the rest, set ${plan.missingEnv.join(", ")}`]
      : []),
  ].join("; ");
}

/**
 * Per case, on lines of their own so that nothing is cut: the verdict and the case's whole name,
 * the request (never the key) and the status received, then every reason.
 */
export function toText(run: LiveRun, plan: LivePlan): string {
  const blocks = run.results.map((r) =>
    [
      `${r.verdict.toUpperCase().padEnd(7)} ${r.name}`,
      `        ${r.request}${r.status === null ? "" : ` → ${r.status}`}`,
      ...reasons(r).map((reason) => `        ${reason}`),
    ].join("\n"),
  );
  return [...blocks, "", ...outOfReach(plan), summary(run, plan)].join("\n");
}

export function toMarkdown(run: LiveRun, plan: LivePlan, target: string): string {
  const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
  const rows = run.results.map(
    (r) =>
      `| ${cell(r.name)} | \`${cell(r.request)}\` | ${r.status ?? "-"} | ${r.verdict} | ${cell(
        reasons(r).join("; "),
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
    ...outOfReach(plan),
  ].join("\n");
}

function outOfReach(plan: LivePlan): string[] {
  return plan.outOfReach.length === 0
    ? []
    : ["Out of this run's reach:", ...plan.outOfReach.map((line) => `- ${line}`), ""];
}

function reasons(r: CaseResult): string[] {
  const all = [...r.why, ...r.notes];
  return all.length > 0 ? all : ["as documented"];
}
