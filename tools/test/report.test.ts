/** The Markdown summary stays readable at any size: grouped per operation, capped, with a count of what it leaves out. */
import { describe, expect, test } from "vitest";
import type { Change } from "../src/breaking/change.js";
import { formatMarkdown } from "../src/breaking/report.js";
import { decide } from "../src/breaking/verdict.js";

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
  test("a small change set: every change, grouped under its operation, breaking first", () => {
    const markdown = formatMarkdown(decide(changeSet(2, 5), "1.0.0", "1.0.0"), "main");
    expect(markdown).not.toMatch(/Left out/);
    const headings = markdown.match(/^#{3,4} .*$/gm);
    expect(headings).toEqual([
      "### 🔴 Breaking (2)",
      "#### getThing0 (GET /things0/{thingId})",
      "#### getThing1 (GET /things1/{thingId})",
      "### 🟢 Compatible (8)",
      "#### getThing0 (GET /things0/{thingId})",
      "#### getThing1 (GET /things1/{thingId})",
    ]);
    expect(markdown.match(/^\| response 200/gm)).toHaveLength(10);
    expect(markdown).toMatch(/Release: @pingback\/types major, @pingback\/client major/);
  });

  test("900 operations with 40 changes each: under 1 MiB, capped, and what is left out is counted", () => {
    const changes = changeSet(900, 40);
    const markdown = formatMarkdown(decide(changes, "1.0.0", "1.0.0"), "main", {
      rows: 250,
      rowsPerOperation: 25,
    });
    const bytes = Buffer.byteLength(markdown);
    console.log(`summary of ${changes.length} changes: ${(bytes / 1024).toFixed(1)} KiB`);
    expect(bytes).toBeLessThan(1024 * 1024);
    const rows = markdown.match(/^\| response 200/gm) ?? [];
    expect(rows).toHaveLength(250);
    // 36,000 changes, 250 shown: the rest is counted, per operation and in total.
    expect(markdown).toMatch(/… and 6 more changes in this operation\./);
    expect(markdown).toMatch(
      /_Left out: 35750 changes in 900 operations, past the summary's limit of 250 rows/,
    );
    expect(markdown.indexOf("### 🔴 Breaking (7200)")).toBeLessThan(markdown.indexOf("Left out"));
  });
});
