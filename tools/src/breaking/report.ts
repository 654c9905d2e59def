/** The gate's output: one line per change for the log, and a Markdown summary for CI job pages. */
import type { Change } from "./change.js";
import { formatNotes, type Notes, SECTIONS } from "./notes.js";
import { CLIENT, type Release, sectionOf, TYPES } from "./release.js";
import { nextMajor, type Reviewed, reviewId, type Verdict } from "./verdict.js";

/** Where a reviewer lists the changes the gate cannot judge that they accept as compatible. */
export const REVIEWED_FILE = "tools/reviewed-changes.txt";

/** `BREAKING  getThing (GET /things/{thingId}) · response 200 … · what changed (why) [rule]`. */
export function formatLine(change: Change): string {
  const tag = change.breaking ? "BREAKING  " : change.review ? "REVIEW    " : "compatible";
  const id = change.review && !change.breaking ? ` ${reviewId(change)}` : "";
  return `${tag}  ${change.operation} · ${change.location} · ${change.message} (${change.why}) [${change.rule}${id}]`;
}

/**
 * The job log: breaking changes first, then those that need a review, then the compatible ones
 * counted per section (listed with `verbose`), the release and the decision.
 */
export function formatLog(verdict: Verdict, base: string, verbose = false): string {
  const { breaking, review, compatible } = verdict;
  const lines = [...breaking, ...review.map((item) => item.change)].map(formatLine);
  if (verbose) lines.push(...compatible.map(formatLine));
  else if (compatible.length) {
    const counts = SECTIONS.map(
      (section) => [section, compatible.filter((c) => sectionOf(c) === section).length] as const,
    )
      .filter(([, n]) => n > 0)
      .map(([section, n]) => `${n} ${section.toLowerCase()}`);
    lines.push(
      `compatible  ${compatible.length} change${compatible.length === 1 ? "" : "s"} (${counts.join(", ")}): \`--verbose\` lists them; the release notes are in tools/reports/spec-changelog.md.`,
    );
  }
  return [...lines, formatRelease(verdict.release), formatSummary(verdict, base)].join("\n");
}

/** `Release: @pingback/types minor, @pingback/client minor (the smallest bumps this change needs).` */
export function formatRelease(release: Release): string {
  return `Release: ${TYPES} ${release[TYPES]}, ${CLIENT} ${release[CLIENT]} (the smallest bumps the change needs; \`pnpm --filter @pingback/tools spec:changesets\` checks the pending changesets).`;
}

/** The closing sentence: the decision, and what to do about it. */
export function formatSummary(verdict: Verdict, base: string): string {
  const { breaking, compatible, baseVersion, revisionVersion } = verdict;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  const open = verdict.review.filter((item) => !item.accepted);
  if (open.length && !verdict.majorBump) {
    return [
      `FAIL: ${count(open.length, "change")} since ${base} the gate cannot judge (cannot tell: review)${breaking.length ? `, and ${count(breaking.length, "breaking change")}` : ""}.`,
      `A reviewer who finds ${open.length === 1 ? "it" : "each"} compatible adds ${open.length === 1 ? "its id" : "their ids"} to ${REVIEWED_FILE}, one per line, and commits it: ${open.map((item: Reviewed) => item.id).join(" ")}.`,
      `If ${open.length === 1 ? "it breaks" : "one breaks"} existing clients, release it as a new major version: set info.version in spec/openapi.yaml to ${nextMajor(baseVersion)} (it is ${revisionVersion || "missing"}).`,
    ].join("\n");
  }
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
export const summaryLimits = { rows: 250, rowsPerOperation: 25, notesPerSection: 25 };

/**
 * The Markdown summary: the decision, the breaking changes and those to review grouped per
 * operation within `limits` (what it leaves out is counted; the job log lists every change),
 * then the release notes of each package.
 */
export function formatMarkdown(
  verdict: Verdict & { notes: Notes },
  base: string,
  limits = summaryLimits,
): string {
  const summary = formatSummary(verdict, `\`${base}\``).replaceAll("\n", "\n\n");
  const parts = [`## Spec breaking-change gate\n\n${summary}\n\n${formatRelease(verdict.release)}`];
  let budget = limits.rows;
  let left = 0;
  const hidden = new Set<string>();
  for (const [title, changes] of [
    ["🔴 Breaking", verdict.breaking],
    ["🟡 Cannot tell: review", verdict.review.map((item) => item.change)],
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
  parts.push(
    `### Release notes\n\n${formatNotes(verdict.notes, verdict.release, "####", limits.notesPerSection)}`,
  );
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
