/** What the current spec is compared with: the released baseline, or the spec at a git ref. */
import { execFile } from "node:child_process";
import { access, mkdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { bundleSpec } from "./bundle.js";

export class BaseNotFoundError extends Error {
  override name = "BaseNotFoundError";
}

export interface PreparedBase {
  /** The bundled base document. */
  file: string;
  /** How the report names it: `spec/released/openapi.json` or `origin/main (1a2b3c4)`. */
  label: string;
  /** For a git ref: the merge base with HEAD that was compared with. */
  commit?: string;
}

/** The committed baseline of the last released spec. */
export async function baselineBase(file: string, label: string): Promise<PreparedBase> {
  try {
    await access(file);
  } catch {
    throw new BaseNotFoundError(
      [
        `No released baseline at ${label}, so there is nothing to compare the spec with.`,
        "A release records it (`pnpm --filter @pingback/tools spec:baseline`, then commit the file);",
        "or compare with a branch instead: PINGBACK_SPEC_BASE=origin/main pnpm spec:breaking.",
      ].join("\n"),
    );
  }
  return { file, label };
}

/**
 * The spec as it was at `ref`: its merge base with HEAD (what a pull request started from, or the
 * target itself for GitHub's merge commit), exported with `git archive` and bundled.
 */
export async function gitBase(
  ref: string,
  specDir: string,
  workDir: string,
): Promise<PreparedBase> {
  const root = (await run("git", ["rev-parse", "--show-toplevel"], specDir).catch(() => "")).trim();
  if (!root) {
    throw new BaseNotFoundError(
      `Cannot compare with \`${ref}\`: ${specDir} is not in a git checkout.`,
    );
  }
  // Pathspecs are relative to the working directory: run every git command at the top.
  const git = (...args: string[]) => run("git", args, root);
  await git("rev-parse", "--verify", "--quiet", `${ref}^{commit}`).catch(() => {
    throw new BaseNotFoundError(
      [
        `The base \`${ref}\` is not a commit in this clone.`,
        "Fetch it first (`git fetch origin <branch>`; in GitHub Actions, actions/checkout with fetch-depth: 0),",
        "or leave the base out to compare with the released baseline.",
      ].join("\n"),
    );
  });
  const commit = (await git("merge-base", ref, "HEAD").catch(() => "")).trim();
  if (!commit) {
    throw new BaseNotFoundError(
      `\`${ref}\` and HEAD share no history here (a shallow clone?): fetch with full history (fetch-depth: 0).`,
    );
  }
  const specPath = relative(root, specDir);
  const archive = join(workDir, "base.tar");
  const tree = join(workDir, "base");
  await mkdir(tree, { recursive: true });
  await git("archive", "--format=tar", `--output=${archive}`, commit, "--", specPath).catch(() => {
    throw new BaseNotFoundError(
      `\`${ref}\` (${commit.slice(0, 7)}) has no ${specPath}/ folder to compare with.`,
    );
  });
  await run("tar", ["-xf", archive, "-C", tree], workDir);
  const entry = join(tree, specPath, "openapi.yaml");
  await access(entry).catch(() => {
    throw new BaseNotFoundError(
      `\`${ref}\` (${commit.slice(0, 7)}) has no ${specPath}/openapi.yaml.`,
    );
  });
  const file = join(workDir, "base.json");
  await bundleSpec(entry, file);
  return { file, label: `${ref} (${commit.slice(0, 7)})`, commit };
}

async function run(command: string, args: string[], cwd: string): Promise<string> {
  const { stdout } = await promisify(execFile)(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}
