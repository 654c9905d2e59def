/**
 * The commands as CI and a developer run them, in a child process: a bad argument or a base that
 * is not there ends with exit 2 and one line that says what was wrong, never a stack trace.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";

const toolsDir = fileURLToPath(new URL("..", import.meta.url));

async function run(script: string, ...args: string[]) {
  try {
    await promisify(execFile)(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: toolsDir,
      env: { ...process.env, PINGBACK_SPEC_BASE: "", GITHUB_STEP_SUMMARY: "" },
    });
    return { code: 0, stderr: "" };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

describe.each(["src/spec-breaking.ts", "src/spec-changesets.ts"])("%s", (script) => {
  test("an unknown option: exit 2, the option named, the usage shown", async () => {
    const { code, stderr } = await run(script, "--bsae", "main");
    expect(code).toBe(2);
    expect(stderr).toMatch(/Unknown option '--bsae'/);
    expect(stderr).toMatch(/^Usage: pnpm .*--base <git-ref>/m);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  test("a base that is no git ref: exit 2, the ref named", { timeout: 30_000 }, async () => {
    const { code, stderr } = await run(script, "--base", "no-such-ref-anywhere");
    expect(code).toBe(2);
    expect(stderr).toMatch(/no-such-ref-anywhere/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
