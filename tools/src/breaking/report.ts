/** The gate's output: one line per change for the log, and a Markdown summary for CI job pages. */
import type { Change } from "./change.js";
import { CLIENT, type Release, TYPES } from "./release.js";
import { nextMajor, type Verdict } from "./verdict.js";

/** `BREAKING  getThing (GET /things/{thingId}) · response 200 … · what changed (why) [rule]`. */
export function formatLine(change: Change): string {
  const tag = change.breaking ? "BREAKING  " : "compatible";
  return `${tag}  ${change.operation} · ${change.location} · ${change.message} (${change.why}) [${change.rule}]`;
}

/** `Release: @pingback/types minor, @pingback/client minor (the smallest bumps this change needs).` */
export function formatRelease(release: Release): string {
  return `Release: ${TYPES} ${release[TYPES]}, ${CLIENT} ${release[CLIENT]} (the smallest bumps the change needs; \`pnpm --filter @pingback/tools spec:changesets\` checks the pending changesets).`;
}

/** The closing sentence: the decision, and what to do about it. */
export function formatSummary(verdict: Verdict, base: string): string {
  const { breaking, compatible, baseVersion, revisionVersion } = verdict;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  if (breaking.length === 0) {
    return compatible.length === 0
      ? `PASS: the contract is unchanged since ${base}.`
      : `PASS: no breaking changes since ${base} (${count(compatible.length, "compatible change")}).`;
  }
  if (verdict.majorBump) {
    return `PASS: ${count(breaking.length, "breaking change")} since ${base}, declared by the new major version ${revisionVersion} (was ${baseVersion}).`;
  }
  return [
    `FAIL: ${count(breaking.length, "breaking change")} since ${base} would break existing clients.`,
    `Undo them, or release them as a new major version: set info.version in spec/openapi.yaml to ${nextMajor(baseVersion)} (it is ${revisionVersion || "missing"}).`,
  ].join("\n");
}

/** What the Markdown summary shows at most: GitHub cuts a step summary at 1 MiB. */
export const summaryLimits = { rows: 250, rowsPerOperation: 25 };

/**
 * The Markdown summary: the decision, then the changes grouped per operation, breaking ones
 * first, within `limits`; what it leaves out is counted (the job log lists every change).
 */
export function formatMarkdown(verdict: Verdict, base: string, limits = summaryLimits): string {
  const summary = formatSummary(verdict, `\`${base}\``).replaceAll("\n", "\n\n");
  const parts = [`## Spec breaking-change gate\n\n${summary}\n\n${formatRelease(verdict.release)}`];
  let budget = limits.rows;
  let left = 0;
  const hidden = new Set<string>();
  for (const [title, changes] of [
    ["🔴 Breaking", verdict.breaking],
    ["🟢 Compatible", verdict.compatible],
  ] as const) {
    if (changes.length === 0) continue;
    parts.push(`### ${title} (${changes.length})`);
    for (const [operation, group] of groupBy(changes, (change) => change.operation)) {
      const shown = group.slice(0, Math.min(limits.rowsPerOperation, budget));
      budget -= shown.length;
      const more = group.length - shown.length;
      left += more;
      if (more) hidden.add(operation);
      if (shown.length === 0) continue;
      const rows = shown.map((change) =>
        [change.location, change.message, change.why, `\`${change.rule}\``].map(cell).join(" | "),
      );
      parts.push(
        [
          `#### ${cell(operation)}`,
          "",
          "| Location | Change | Why | Rule |",
          "| --- | --- | --- | --- |",
          ...rows.map((row) => `| ${row} |`),
          ...(more
            ? ["", `… and ${more} more change${more === 1 ? "" : "s"} in this operation.`]
            : []),
        ].join("\n"),
      );
    }
  }
  if (left) {
    parts.push(
      `_Left out: ${left} change${left === 1 ? "" : "s"} in ${hidden.size} operation${hidden.size === 1 ? "" : "s"}, past the summary's limit of ${limits.rows} rows (${limits.rowsPerOperation} per operation). The job log lists every change._`,
    );
  }
  return `${parts.join("\n\n")}\n`;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}
