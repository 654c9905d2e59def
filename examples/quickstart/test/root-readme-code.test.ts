/**
 * Every TypeScript block of the root README, as a reader would paste it, compiled by tsc under the
 * strictest options the README claims (`strict`, `exactOptionalPropertyTypes`,
 * `noUncheckedIndexedAccess`, `skipLibCheck: false`, `module` `nodenext`) against the built
 * packages (`@pingback/client`, `@pingback/testing` and vitest resolve from this package's
 * node_modules, as a user's project resolves them). An error names the README line it comes from.
 *
 * The blocks are of three kinds (`@pingback/tools/readme-code`, shared with the client's README
 * test): an excerpt headed `// excerpt of examples/quickstart/src/<file>` compiles as that whole
 * file (`readme.test.ts` keeps the excerpt equal to it); a block headed `// <path>: …` is a file of
 * the reader's project, written at that path (the testing section's `src/signup.ts` and the test
 * that imports it); any other block must compile alone. It lives here because this package
 * depends on everything the root README imports.
 *
 * What this does not run: the quickstart runs in `quickstart.test.ts`; the testing section's test
 * runs in `@pingback/testing`'s README test, from the packed tarballs in a project of its own.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Block, codeBlocks, typeCheck, writeBlocks } from "@pingback/tools/readme-code";
import { beforeAll, describe, expect, test } from "vitest";

const here = fileURLToPath(new URL("..", import.meta.url));
const root = join(here, "../..");
const blocks = codeBlocks("README.md", await readFile(join(root, "README.md"), "utf8"));
// Inside the package, so that the packages resolve from its node_modules as a user's would.
const work = join(here, "node_modules/.root-readme-code");

/** Type-checks blocks as the README's are, in a directory of their own under `work`. */
async function check(name: string, checked: Block[]): Promise<string[]> {
  const dir = join(work, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return typeCheck(dir, await writeBlocks(dir, checked, root), {
    typeRoots: [join(here, "node_modules/@types")],
  });
}

beforeAll(() => rm(work, { recursive: true, force: true }));

describe("the root README's TypeScript", () => {
  test("the README has the quickstart's excerpts and the testing section's two files", () => {
    const firstLines = blocks.map((block) => block.code.split("\n")[0]);
    expect(firstLines).toContain("// excerpt of examples/quickstart/src/main.ts");
    expect(firstLines).toContain("// excerpt of examples/quickstart/src/quickstart.ts");
    expect(firstLines).toContain("// src/signup.ts: the code under test.");
    expect(firstLines.filter((line) => line?.startsWith("// test/signup.test.ts: "))).toHaveLength(
      1,
    );
    expect(blocks.filter((block) => block.skipped)).toEqual([]);
  });

  test("every block compiles under the strictest options", { timeout: 120_000 }, async () => {
    expect((await check("readme", blocks)).join("\n")).toBe("");
  });
});

describe("the check itself", () => {
  const markdown = [
    "# A README",
    "",
    "```ts",
    'import { createPingbackClient } from "@pingback/client";',
    "```",
    "",
    "A fragment that uses a name it never defines, as the root README's once did:",
    "",
    "```ts",
    'import { createPingbackClient } from "@pingback/client";',
    "const client = createPingbackClient({ apiKey, developerMode: true });",
    "```",
    "",
  ].join("\n");

  test("a block that does not compile fails, naming its README line", {
    timeout: 60_000,
  }, async () => {
    const errors = await check("broken", codeBlocks("BROKEN.md", markdown));
    expect(errors).toEqual([
      expect.stringMatching(
        /^BROKEN\.md:11:39: error TS18004: No value exists in scope for the shorthand property 'apiKey'/,
      ),
    ]);
  });

  test("an excerpt that does not compile fails, naming the file and the excerpt's line", {
    timeout: 60_000,
  }, async () => {
    const dir = join(work, "excerpt-file");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "whole.ts"), "export const n: number = 'one';\n");
    const excerpt = [
      "```ts",
      `// excerpt of ${join(dir, "whole.ts")}`,
      "export const n: number = 'one';",
      "```",
    ].join("\n");
    const errors = await check("excerpt", codeBlocks("EXCERPT.md", excerpt));
    expect(errors).toEqual([
      expect.stringMatching(
        /^EXCERPT\.md:2: in .*whole\.ts, the excerpt's whole file, \(1,14\): error TS2322: /,
      ),
    ]);
  });
});
