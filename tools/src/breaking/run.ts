/** One gate run: prepare the base, bundle the current spec, compare, write the reports. */
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { baselineBase, gitBase, type PreparedBase } from "./base.js";
import { bundleSpec } from "./bundle.js";
import type { Check } from "./changesets.js";
import { startEngine } from "./engine.js";
import { type Compared, compareSpecs } from "./gate.js";
import { preloadFor } from "./generated.js";
import { formatNotes } from "./notes.js";
import { CLIENT, TYPES } from "./release.js";
import { formatLog, formatMarkdown } from "./report.js";

export interface GateOptions {
  /** The spec folder, holding `openapi.yaml`. */
  specDir: string;
  /** A git ref to compare with; without it, the released baseline. */
  base?: string | undefined;
  /** The committed baseline of the last released spec. */
  baselineFile: string;
  /** How the report names the baseline (a path relative to the repository). */
  baselineLabel: string;
  /** Where the Markdown summary is written. */
  summaryFile: string;
  /** Where the Markdown changelog of the change is written (default: beside the summary). */
  changelogFile?: string | undefined;
  /** A file the summary is also appended to: GitHub's `GITHUB_STEP_SUMMARY`. */
  stepSummaryFile?: string | undefined;
  /** The ids of "cannot tell" changes a reviewer accepted, one per line (`#` starts a comment). */
  reviewedFile?: string | undefined;
  /** List every compatible change in the log, not only their count. */
  verbose?: boolean | undefined;
}

export interface GateRun {
  verdict: Compared;
  /** One line per change, then the decision. */
  output: string;
}

/** Compares the spec with its base in a temporary folder. */
async function compare(options: GateOptions): Promise<{ verdict: Compared; base: PreparedBase }> {
  const preload = preloadFor(options.specDir);
  const workDir = await mkdtemp(join(tmpdir(), "spec-breaking-"));
  const engine = await startEngine(workDir);
  try {
    const revision = join(workDir, "revision.json");
    const [base] = await Promise.all([
      options.base
        ? gitBase(options.base, options.specDir, workDir)
        : baselineBase(options.baselineFile, options.baselineLabel),
      bundleSpec(join(options.specDir, "openapi.yaml"), revision),
    ]);
    const accepted = await reviewed(options.reviewedFile);
    await preload;
    return { verdict: await compareSpecs(base.file, revision, engine, accepted), base };
  } finally {
    engine.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

export async function runGate(options: GateOptions): Promise<GateRun> {
  const { verdict, base } = await compare(options);
  const markdown = formatMarkdown(verdict, base.label);
  const changelogFile =
    options.changelogFile ?? join(dirname(options.summaryFile), "spec-changelog.md");
  await mkdir(dirname(options.summaryFile), { recursive: true });
  await Promise.all([
    writeFile(options.summaryFile, markdown),
    writeFile(changelogFile, formatChangelog(verdict, base.label)),
  ]);
  if (options.stepSummaryFile) await appendFile(options.stepSummaryFile, markdown);
  return { verdict, output: formatLog(verdict, base.label, options.verbose) };
}

/** `tools/reports/spec-changelog.md`: the release notes of each package. */
export function formatChangelog(verdict: Compared, base: string): string {
  return `# API changes since ${base}\n\n${formatNotes(verdict.notes, verdict.release)}\n`;
}

/**
 * The changesets the notes make, one per package that needs a release: `changeset version` writes
 * each into its package's CHANGELOG.md.
 */
export function proposeChangesets(verdict: Compared, base: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of [CLIENT, TYPES] as const) {
    const level = verdict.release[name];
    if (level === "none") continue;
    const notes = formatNotes(verdict.notes, verdict.release, "##", Number.POSITIVE_INFINITY, [
      name,
    ]);
    const body = notes.split("\n").slice(2).join("\n");
    files[name] = `---\n"${name}": ${level}\n---\n\nAPI changes since ${base}.\n\n${body}\n`;
  }
  return files;
}

/** The accepted ids of a reviewed-changes file (none when it is missing). */
async function reviewed(file: string | undefined): Promise<Set<string>> {
  if (!file) return new Set();
  const text = await readFile(file, "utf8").catch(() => "");
  return new Set(
    text
      .split("\n")
      .map((line) => line.replace(/#.*/, "").trim())
      .filter(Boolean),
  );
}

/**
 * The changeset check: the release the spec change needs, against what the pending changesets
 * declare (against a git ref: the changesets added since the merge base).
 */
export async function runChangesetCheck(
  options: GateOptions & { repoRoot: string },
): Promise<Check> {
  const { verdict, base } = await compare(options);
  // Loaded here only: @changesets/read takes ~0.3 s to load, which `spec:breaking` need not pay.
  const { checkChangesets, declaredBumps } = await import("./changesets.js");
  const declared = await declaredBumps(options.repoRoot, base.commit);
  return checkChangesets(
    verdict.release,
    declared,
    base.label,
    proposeChangesets(verdict, base.label),
  );
}
