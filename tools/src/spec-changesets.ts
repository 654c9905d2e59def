/**
 * `pnpm --filter @pingback/tools spec:changesets [--base <git-ref>]`: fails (exit 1) when the
 * pending changesets declare less than the release the spec change needs, naming the
 * `pnpm changeset` to run; 2 when it cannot compare. Same base as `spec:breaking`. See README.md.
 */
import { runChangesetCheck } from "./breaking/run.js";
import { runCli } from "./cli.js";
import {
  baselineFile,
  baselineLabel,
  repoRoot,
  reviewedFile,
  specDir,
  summaryFile,
} from "./layout.js";

await runCli(
  "spec:changesets",
  "pnpm --filter @pingback/tools spec:changesets [--base <git-ref>]",
  { base: { type: "string" } },
  async (values) => {
    const check = await runChangesetCheck({
      specDir,
      repoRoot,
      base: values.base || process.env.PINGBACK_SPEC_BASE || undefined,
      baselineFile,
      baselineLabel,
      summaryFile,
      reviewedFile,
    });
    (check.pass ? console.log : console.error)(check.message);
    return check.pass ? 0 : 1;
  },
);
