/**
 * The root README's "Using the packages" section shows the quickstart's own code: every TypeScript
 * block there must appear, line for line, in examples/quickstart/src (at any indentation).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const srcDir = fileURLToPath(new URL("../src", import.meta.url));

const readme = readFileSync(join(root, "README.md"), "utf8");
const section = readme.split(/^## /m).find((part) => part.startsWith("Using the packages\n")) ?? "";
const blocks = [...section.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? "");
const sources = readdirSync(srcDir).map((file) => readFileSync(join(srcDir, file), "utf8"));

/** The block, indented as a whole by `indent` (blank lines stay empty). */
const indented = (block: string, indent: string) => block.replace(/^(?=.)/gm, indent);

test("the section exists and quotes code", () => {
  expect(section).not.toBe("");
  expect(blocks.length).toBeGreaterThanOrEqual(4);
});

test.each(blocks.map((block) => ({ first: block.split("\n")[0], block })))(
  "the block starting `$first` is the quickstart's code",
  ({ block }) => {
    const found = ["", "  ", "    ", "      "].some((indent) =>
      sources.some((source) => source.includes(indented(block, indent))),
    );
    expect(found, `not found verbatim in examples/quickstart/src:\n${block}`).toBe(true);
  },
);
