/** One gate run: prepare the base, bundle the current spec, compare, write the reports. */
import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { baselineBase, gitBase } from "./base.js";
import { bundleSpec } from "./bundle.js";
import { compareSpecs } from "./gate.js";
import { formatLine, formatMarkdown, formatSummary } from "./report.js";
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
  /** A file the summary is also appended to: GitHub's `GITHUB_STEP_SUMMARY`. */
  stepSummaryFile?: string | undefined;
}

export interface GateRun {
  verdict: Verdict;
  /** One line per change, then the decision. */
  output: string;
}

export async function runGate(options: GateOptions): Promise<GateRun> {
  const workDir = await mkdtemp(join(tmpdir(), "spec-breaking-"));
  try {
    const revision = join(workDir, "revision.json");
    const [base] = await Promise.all([
      options.base
        ? gitBase(options.base, options.specDir, workDir)
        : baselineBase(options.baselineFile, options.baselineLabel),
      bundleSpec(join(options.specDir, "openapi.yaml"), revision),
    ]);
    const verdict = await compareSpecs(base.file, revision);
    const markdown = formatMarkdown(verdict, base.label);
    await mkdir(dirname(options.summaryFile), { recursive: true });
    await writeFile(options.summaryFile, markdown);
    if (options.stepSummaryFile) await appendFile(options.stepSummaryFile, markdown);
    const lines = [...verdict.breaking, ...verdict.compatible].map(formatLine);
    return { verdict, output: [...lines, formatSummary(verdict, base.label)].join("\n") };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
