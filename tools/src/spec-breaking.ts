/**
 * `pnpm spec:breaking [--base <git-ref>] [--summary <file>] [--verbose]`: compares the spec with
 * the released baseline (or with `--base`, also read from PINGBACK_SPEC_BASE) and exits 1 on a
 * breaking change that is not declared by a major `info.version` bump, or on one it cannot judge
 * that no reviewer accepted; 2 when it cannot compare. See README.md.
 */
import { runGate } from "./breaking/run.js";
import { runCli } from "./cli.js";
import { baselineFile, baselineLabel, reviewedFile, specDir, summaryFile } from "./layout.js";

await runCli(
  "spec:breaking",
  "pnpm spec:breaking [--base <git-ref>] [--summary <file>] [--verbose]",
  { base: { type: "string" }, summary: { type: "string" }, verbose: { type: "boolean" } },
  async (values) => {
    const { verdict, output } = await runGate({
      specDir,
      base: values.base || process.env.PINGBACK_SPEC_BASE || undefined,
      baselineFile,
      baselineLabel,
      summaryFile: values.summary ?? summaryFile,
      stepSummaryFile: process.env.GITHUB_STEP_SUMMARY || undefined,
      reviewedFile,
      verbose: values.verbose,
    });
    console.log(output);
    return verdict.pass ? 0 : 1;
  },
);
