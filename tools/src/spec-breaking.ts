/**
 * `pnpm spec:breaking [--base <git-ref>] [--summary <file>]`: compares the spec with the released
 * baseline (or with `--base`, also read from PINGBACK_SPEC_BASE) and exits 1 on a breaking change
 * that is not declared by a major `info.version` bump; 2 when it cannot compare. See README.md.
 */
import { runGate } from "./breaking/run.js";
import { runCli } from "./cli.js";
import { baselineFile, baselineLabel, specDir, summaryFile } from "./layout.js";

await runCli(
  "spec:breaking",
  "pnpm spec:breaking [--base <git-ref>] [--summary <file>]",
  { base: { type: "string" }, summary: { type: "string" } },
  async (values) => {
    const { verdict, output } = await runGate({
      specDir,
      base: values.base || process.env.PINGBACK_SPEC_BASE || undefined,
      baselineFile,
      baselineLabel,
      summaryFile: values.summary ?? summaryFile,
      stepSummaryFile: process.env.GITHUB_STEP_SUMMARY || undefined,
    });
    console.log(output);
    return verdict.pass ? 0 : 1;
  },
);
