/**
 * `pnpm --filter @pingback/tools bench`: the wall time of `pnpm spec:breaking` on the repository's
 * spec, against two baselines measured in the same run on the same machine: a bare `node` start
 * and one `redocly --version` (the floor of any gate built on the Redocly CLI), warm (the
 * generated types of both sides cached) and cold (nothing cached). Prints medians.
 */
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { cacheDir } from "../src/breaking/generated.js";
import { repoRoot } from "../src/layout.js";

const runs = Number(process.env.BENCH_RUNS ?? 7);
const redoclyCli = join(
  dirname(createRequire(import.meta.url).resolve("@redocly/cli/package.json")),
  "bin/cli.js",
);
const env = { ...process.env, REDOCLY_TELEMETRY: "off", TURBO_TELEMETRY_DISABLED: "1" };

async function median(
  command: string,
  args: string[],
  before?: () => Promise<void>,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await before?.();
    const start = performance.now();
    await promisify(execFile)(command, args, { cwd: repoRoot, env }).catch((error) => {
      throw new Error(`${command} ${args.join(" ")} failed: ${error.stderr ?? error}`);
    });
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] ?? Number.NaN;
}

const node = await median(process.execPath, ["-e", "0"]);
const redocly = await median(process.execPath, [redoclyCli, "--version"]);
const gate = await median("pnpm", ["spec:breaking"]);
// Cold: nothing generated before (a fresh clone in CI, or a spec edited since the last run).
const cold = await median("pnpm", ["spec:breaking"], () =>
  rm(cacheDir, { recursive: true, force: true }),
);
// The same gate without turbo in front (what the root script would cost as `pnpm --filter`).
const direct = await median("pnpm", ["--filter", "@pingback/tools", "spec:breaking"]);
const row = (name: string, ms: number) =>
  `| ${name} | ${(ms / 1000).toFixed(2)} s | ${(ms / redocly).toFixed(1)}× |`;
console.log(`median of ${runs} runs each\n`);
console.log("| command | wall | × redocly --version |\n| --- | --- | --- |");
console.log(row("node -e 0", node));
console.log(row("redocly --version", redocly));
console.log(row("pnpm spec:breaking", gate));
console.log(row("pnpm spec:breaking, cold (no generated types cached)", cold));
console.log(row("pnpm --filter @pingback/tools spec:breaking", direct));
