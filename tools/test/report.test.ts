/** The Markdown summary stays readable at any size: grouped per operation, capped, with a count of what it leaves out. */
import { describe, expect, test } from "vitest";
import type { Change } from "../src/breaking/change.js";
import { notesOf } from "../src/breaking/notes.js";
import { formatLog, formatMarkdown } from "../src/breaking/report.js";
import type { TypesDiff } from "../src/breaking/types-diff.js";
import { decide } from "../src/breaking/verdict.js";

const types: TypesDiff = { level: "major", comments: false, findings: [] };

function compared(changes: Change[]) {
  const notes = notesOf(changes, types, { base: {}, revision: {} });
  return { ...decide(changes, "1.0.0", "1.0.0", types), notes };
}

/** `operations` operations with `perOperation` changes each, every fifth one breaking. */
function changeSet(operations: number, perOperation: number): Change[] {
  return Array.from({ length: operations * perOperation }, (_, i) => {
    const op = Math.floor(i / perOperation);
    const breaking = i % 5 === 0;
    return {
      rule: breaking ? "property-removed" : "added",
      engine: "redocly",
      breaking,
      side: "response",
      operation: `getThing${op} (GET /things${op}/{thingId})`,
      location: `response 200 (application/json) › data.field${i % perOperation}`,
      message: `Property \`field${i % perOperation}\` of \`Thing${op}\` was ${breaking ? "removed" : "added"}.`,
      why: "response side: existing clients may not find or understand what they read in the response",
      pointer: `#/paths/~1things${op}~1{thingId}/get/responses/200`,
      bump: breaking ? "major" : "minor",
      kind: breaking ? "removed" : "added",
    };
  });
}

describe("formatMarkdown", () => {
  test("a small change set: breaking changes grouped under their operation, then the release notes", () => {
    const markdown = formatMarkdown(compared(changeSet(2, 5)), "main");
    expect(markdown).not.toMatch(/Left out/);
    const headings = markdown.match(/^#{3,4} .*$/gm);
    expect(headings).toEqual([
      "### 🔴 Breaking (2)",
      "#### getThing0 (GET /things0/{thingId})",
      "#### getThing1 (GET /things1/{thingId})",
      "### Release notes",
      "#### @pingback/client: major",
      "#### @pingback/types: major",
    ]);
    expect(markdown.match(/^\| response 200/gm)).toHaveLength(2);
    expect(
      markdown.match(/^- `getThing\d` · response 200 › data\.field\d: Property/gm),
    ).toHaveLength(10);
    expect(markdown).toMatch(/Release: @pingback\/types major, @pingback\/client major/);
  });

  test("the job log: breaking changes first, the compatible ones counted unless verbose", () => {
    const verdict = compared(changeSet(2, 5));
    const log = formatLog(verdict, "main").split("\n");
    expect(log.slice(0, 2).every((line) => line.startsWith("BREAKING"))).toBe(true);
    expect(log[2]).toMatch(/^compatible {2}8 changes \(8 added\): `--verbose` lists them/);
    expect(
      formatLog(verdict, "main", true)
        .split("\n")
        .filter((l) => l.startsWith("compatible")),
    ).toHaveLength(8);
  });

  test("900 operations with 40 changes each: under 1 MiB, capped, and what is left out is counted", () => {
    const changes = changeSet(900, 40);
    const markdown = formatMarkdown(compared(changes), "main", {
      rows: 250,
      rowsPerOperation: 25,
      notesPerSection: 25,
    });
    const bytes = Buffer.byteLength(markdown);
    console.log(`summary of ${changes.length} changes: ${(bytes / 1024).toFixed(1)} KiB`);
    expect(bytes).toBeLessThan(1024 * 1024);
    const rows = markdown.match(/^\| response 200/gm) ?? [];
    expect(rows).toHaveLength(250);
    // 36,000 changes, 250 shown: the rest is counted, per operation and in total.
    expect(markdown).toMatch(/… and 6 more changes in this operation\./);
    expect(markdown).toMatch(
      /_Left out: 6950 changes in 869 operations, past the summary's limit of 250 rows/,
    );
    // The release notes keep 25 lines a section, and count the rest.
    expect(markdown).toMatch(/^- … and 28775 more$/m);
    expect(markdown.indexOf("### 🔴 Breaking (7200)")).toBeLessThan(markdown.indexOf("Left out"));
  });
});
