/**
 * The README's vitest example, as a new user meets it: its two blocks are this package's
 * `examples/` (which the workspace's vitest runs), and, copied from the README alone into a new
 * project outside the repository with the packed tarballs installed by npm, it passes there, and
 * fails when the user's code forgets to add the contact to the segment.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify, stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const exec = promisify(execFile);
const here = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(join(here, "README.md"), "utf8");
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? "");
/** Output without its colours. */
const plain = (text: string) => stripVTControlCharacters(text);
/** The README block whose first line names the file, e.g. `// src/signup.ts: …`. */
const block = (file: string) => blocks.find((b) => b.startsWith(`// ${file}:`));

// The root README's "Testing your code against Pingback" shows the same two files.
const rootReadme = readFileSync(join(here, "..", "..", "README.md"), "utf8");
const rootSection =
  rootReadme.split(/^## /m).find((part) => part.startsWith("Testing your code")) ?? "";
const rootBlocks = [...rootSection.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? "");

test.each(["src/signup.ts", "test/signup.test.ts"])(
  "the block %s of this README and of the root README is the same file under examples/",
  (file) => {
    const source = readFileSync(join(here, "examples", file), "utf8");
    expect(block(file)).toBe(source);
    expect(rootBlocks.find((b) => b.startsWith(`// ${file}:`))).toBe(source);
  },
);

describe("from the README alone, in a project outside the repository", () => {
  const project = mkdtempSync(join(tmpdir(), "pingback-testing-user-"));
  const vitest = (args: string[] = []) =>
    exec(join(project, "node_modules", ".bin", "vitest"), ["run", ...args], {
      cwd: project,
      env: { ...process.env, CI: "true", FORCE_COLOR: "0" },
    }).then(
      ({ stdout }) => ({ ok: true, output: plain(stdout) }),
      (error: { stdout: string; stderr: string }) => ({
        ok: false,
        output: plain(`${error.stdout}${error.stderr}`),
      }),
    );

  beforeAll(async () => {
    const tarballs = join(project, "tarballs");
    for (const dir of ["../types", "../client", "."])
      await exec("pnpm", ["pack", "--pack-destination", tarballs], { cwd: join(here, dir) });
    const vitestVersion = JSON.parse(
      readFileSync(join(here, "node_modules", "vitest", "package.json"), "utf8"),
    ).version;
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "a-user-project", private: true, type: "module" }),
    );
    await exec(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--prefer-offline",
        ...readdirSync(tarballs).map((file) => join(tarballs, file)),
        `vitest@${vitestVersion}`,
      ],
      { cwd: project, timeout: 300_000 },
    );
    for (const file of ["src/signup.ts", "test/signup.test.ts"]) {
      mkdirSync(join(project, file, ".."), { recursive: true });
      writeFileSync(join(project, file), block(file) ?? "");
    }
  }, 360_000);

  afterAll(() => rmSync(project, { recursive: true, force: true }));

  test("the test passes with the installed tarballs", async () => {
    const run = await vitest();
    expect(run.output).toMatch(/Tests\s+2 passed/);
    expect(run.ok).toBe(true);
  }, 120_000);

  test("it fails when the code forgets to add the contact to the segment, and the state shows it", async () => {
    const forgetful = (block("src/signup.ts") ?? "").replace(
      /\n {2}orThrow\(\n {4}await client\.POST\("\/segments[\s\S]*?\n {2}\);\n/,
      "\n  void newsletter;\n",
    );
    expect(forgetful).not.toContain("/segments/add-contact");
    writeFileSync(join(project, "src/signup.ts"), forgetful);
    const run = await vitest();
    expect(run.ok).toBe(false);
    // Both tests fail: the first on the state, the second on the requests the code sent.
    expect(run.output).toMatch(/Tests\s+2 failed/);
    expect(run.output).toMatch(/"segmentedListsIds": \[\]/);
  }, 120_000);
});
