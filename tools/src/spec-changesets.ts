/**
 * `pnpm --filter @pingback/tools spec:changesets [--base <git-ref>]`: fails (exit 1) when the
 * pending changesets declare less than the release the spec change needs, naming the
 * `pnpm changeset` to run; 2 when it cannot compare. Same base as `spec:breaking`. See README.md.
 */
import { parseArgs } from "node:util";
import { BaseNotFoundError } from "./breaking/base.js";
import { SpecBundleError } from "./breaking/bundle.js";
import { EngineError } from "./breaking/engine.js";
import { runChangesetCheck } from "./breaking/run.js";
import { baselineFile, baselineLabel, repoRoot, specDir, summaryFile } from "./layout.js";

const { values } = parseArgs({ options: { base: { type: "string" } } });

try {
  const check = await runChangesetCheck({
    specDir,
    repoRoot,
    base: values.base || process.env.PINGBACK_SPEC_BASE || undefined,
    baselineFile,
    baselineLabel,
    summaryFile,
  });
  (check.pass ? console.log : console.error)(check.message);
  process.exitCode = check.pass ? 0 : 1;
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
  console.error(`spec:changesets: ${error.message}`);
  process.exitCode = 2;
}
