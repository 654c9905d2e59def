/**
 * `pnpm --filter @pingback/tools spec:baseline`: records the current spec as the released contract
 * (spec/released/openapi.json). A release runs it; commit the file with the release.
 */
import { recordBaseline } from "./breaking/baseline.js";
import { baselineFile, baselineLabel, repoRoot, specDir } from "./layout.js";

await recordBaseline(specDir, baselineFile, repoRoot);
console.log(`Recorded the current spec as the released baseline: ${baselineLabel}`);
