/**
 * The root README's "Using the packages" section shows the quickstart's own code: every TypeScript
 * block there is headed `// excerpt of examples/quickstart/src/<file>`, and the rest of the block
 * must appear, line for line, in that file (at any indentation). `root-readme-code.test.ts`
 * compiles those files whole.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { codeBlocks, excerptCode, excerptOf } from "@pingback/tools/readme-code";
import { expect, test } from "vitest";

const root = fileURLToPath(new URL("../../..", import.meta.url));

const readme = readFileSync(join(root, "README.md"), "utf8");
const lines = readme.split("\n");
const start = lines.indexOf("## Using the packages");
const end = lines.findIndex((line, i) => i > start && line.startsWith("## "));
const blocks = codeBlocks("README.md", readme).filter(
  (block) => block.line > start && block.line < end,
);

/** The block, indented as a whole by `indent` (blank lines stay empty). */
const indented = (block: string, indent: string) => block.replace(/^(?=.)/gm, indent);

test("the section exists and quotes code", () => {
  expect(start).toBeGreaterThan(0);
  expect(blocks.length).toBeGreaterThanOrEqual(4);
});

test.each(blocks.map((block) => ({ where: `README.md:${block.line}`, block })))(
  "the block at $where is the quickstart's code, in the file it names",
  ({ block }) => {
    const file = excerptOf(block);
    expect(
      file,
      `no "// excerpt of examples/quickstart/src/<file>" heading:\n${block.code}`,
    ).toMatch(/^examples\/quickstart\/src\/[\w-]+\.ts$/);
    const source = readFileSync(join(root, file ?? ""), "utf8");
    const code = excerptCode(block);
    const found = ["", "  ", "    ", "      "].some((indent) =>
      source.includes(indented(code, indent)),
    );
    expect(found, `not found verbatim in ${file}:\n${code}`).toBe(true);
  },
);
