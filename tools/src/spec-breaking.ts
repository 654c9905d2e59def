/**
 * `pnpm spec:breaking [--base <git-ref>] [--summary <file>]`: compares the spec with the released
 * baseline (or with `--base`, also read from PINGBACK_SPEC_BASE) and exits 1 on a breaking change
 * that is not declared by a major `info.version` bump; 2 when it cannot compare. See README.md.
 */
import { parseArgs } from "node:util";
import { BaseNotFoundError } from "./breaking/base.js";
import { SpecBundleError } from "./breaking/bundle.js";
import { EngineError } from "./breaking/engine.js";
import { runGate } from "./breaking/run.js";
import { baselineFile, baselineLabel, specDir, summaryFile } from "./layout.js";

const { values } = parseArgs({
  options: { base: { type: "string" }, summary: { type: "string" } },
});

try {
  const { verdict, output } = await runGate({
    specDir,
    base: values.base || process.env.PINGBACK_SPEC_BASE || undefined,
    baselineFile,
    baselineLabel,
    summaryFile: values.summary ?? summaryFile,
    stepSummaryFile: process.env.GITHUB_STEP_SUMMARY || undefined,
  });
  console.log(output);
  process.exitCode = verdict.pass ? 0 : 1;
} catch (error) {
  if (
    !(
      error instanceof BaseNotFoundError ||
      error instanceof SpecBundleError ||
      error instanceof EngineError
    )
  ) {
    throw error;
  }
  console.error(`spec:breaking: ${error.message}`);
  process.exitCode = 2;
}
