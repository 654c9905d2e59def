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

export function formatMarkdown(verdict: Verdict, base: string): string {
  const changes = [...verdict.breaking, ...verdict.compatible];
  const rows = changes.map((change) =>
    [
      change.breaking ? "🔴 breaking" : "🟢 compatible",
      change.operation,
      change.location,
      change.message,
      change.why,
      `\`${change.rule}\``,
    ]
      .map(cell)
      .join(" | "),
  );
  const table = rows.length
    ? [
        "",
        "| | Operation | Location | Change | Why | Rule |",
        "| --- | --- | --- | --- | --- | --- |",
      ]
        .concat(rows.map((row) => `| ${row} |`))
        .join("\n")
    : "";
  const summary = formatSummary(verdict, `\`${base}\``).replaceAll("\n", "\n\n");
  return `## Spec breaking-change gate\n\n${summary}\n${table}\n`;
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}
