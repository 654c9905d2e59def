/** One gate run: prepare the base, bundle the current spec, compare, write the reports. */
import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { baselineBase, gitBase, type PreparedBase } from "./base.js";
import { bundleSpec } from "./bundle.js";
import type { Check } from "./changesets.js";
import { startEngine } from "./engine.js";
import { compareSpecs } from "./gate.js";
import { formatChangelog } from "./release.js";
import { formatLine, formatMarkdown, formatRelease, formatSummary } from "./report.js";
import type { Verdict } from "./verdict.js";

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
}

export interface GateRun {
  verdict: Verdict;
  /** One line per change, then the decision. */
  output: string;
}

/** Compares the spec with its base in a temporary folder. */
async function compare(options: GateOptions): Promise<{ verdict: Verdict; base: PreparedBase }> {
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
    return { verdict: await compareSpecs(base.file, revision, engine), base };
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
    writeFile(
      changelogFile,
      formatChangelog([...verdict.breaking, ...verdict.compatible], verdict.release),
    ),
  ]);
  if (options.stepSummaryFile) await appendFile(options.stepSummaryFile, markdown);
  const lines = [...verdict.breaking, ...verdict.compatible].map(formatLine);
  return {
    verdict,
    output: [...lines, formatRelease(verdict.release), formatSummary(verdict, base.label)].join(
      "\n",
    ),
  };
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
  return checkChangesets(verdict.release, declared, base.label);
}
