/**
 * `pnpm bench:scale [--factor 1,10,100] [--with-test] [--keep]`: for each factor, copies the
 * repository to a temporary folder, grows the copy's spec by that factor (src/scale/grow.ts), and
 * times the pipeline there, one step after the other: lint, spec build, generate, build, type-check,
 * the contract suite (mock mode) and the breaking-change gate; with `--with-test`, the whole
 * `pnpm test` of the grown copy too. After the build it counts what one call costs the type checker
 * (src/scale/type-cost.ts). Prints times, peak memory and counts per factor, with the growth
 * exponent between factors. The real spec is never touched. Figures are printed, never asserted.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, stripVTControlCharacters } from "node:util";
import { growSpecDir } from "./spec-files.js";
import {
  countsTable,
  type FactorResult,
  parseFactors,
  type StepFigure,
  timesTable,
} from "./table.js";
import { typeCost } from "./type-cost.js";

const GNU_TIME = "/usr/bin/time";
const toolsDir = fileURLToPath(new URL("../..", import.meta.url));
const reportsDir = join(toolsDir, "reports/scale");

/** A step: a command run in a folder of the grown copy. */
interface Step {
  name: string;
  dir: string;
  command: string;
}

const TYPE_CHECKED = [
  "packages/types",
  "packages/client",
  "packages/contract-tests",
  "examples/quickstart",
];

function steps(withTest: boolean): Step[] {
  return [
    { name: "lint (spec)", dir: "spec", command: "pnpm run lint" },
    { name: "spec build (bundle + reference page)", dir: "spec", command: "pnpm run build" },
    { name: "generate (types)", dir: "packages/types", command: "pnpm run generate" },
    {
      name: "build (types, client)",
      dir: ".",
      // @pingback/testing too: the contract suite's live self-test runs against its fake.
      command:
        "pnpm --filter @pingback/types --filter @pingback/client --filter @pingback/testing --workspace-concurrency=1 run build",
    },
    {
      name: "type-check (tsc --noEmit)",
      dir: ".",
      command: TYPE_CHECKED.map((dir) => `(cd ${dir} && pnpm exec tsc --noEmit)`).join(" && "),
    },
    { name: "contract suite (mock)", dir: "packages/contract-tests", command: "pnpm run test" },
    { name: "breaking-change gate", dir: "tools", command: "pnpm run spec:breaking" },
    ...(withTest ? [{ name: "pnpm test (whole)", dir: ".", command: "pnpm test" }] : []),
  ];
}

/** The repository's files as git sees them (tracked, and new files not ignored), copied to `into`. */
function copyRepository(root: string, into: string) {
  const listed = execFileSync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    },
  )
    .toString()
    .split("\0")
    .filter((file) => file && existsSync(join(root, file)));
  for (const file of listed) {
    mkdirSync(dirname(join(into, file)), { recursive: true });
    cpSync(join(root, file), join(into, file));
  }
}

/** The environment of every step: mock mode only, no telemetry. */
function stepEnv(): NodeJS.ProcessEnv {
  const {
    PINGBACK_BASE_URL: _url,
    PINGBACK_API_KEY: _key,
    PINGBACK_SPEC: _spec,
    ...env
  } = process.env;
  return { ...env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", FORCE_COLOR: "0" };
}

/** Runs one step, its output to `log`, measuring wall time and the peak RSS of its largest process. */
function runStep(step: Step, repo: string, log: string): StepFigure {
  const fd = openSync(log, "w");
  const timeFile = `${log}.time`;
  const measured = existsSync(GNU_TIME);
  const started = performance.now();
  const result = spawnSync(
    measured ? GNU_TIME : "bash",
    measured ? ["-f", "%e %M", "-o", timeFile, "bash", "-c", step.command] : ["-c", step.command],
    { cwd: join(repo, step.dir), env: stepEnv(), stdio: ["ignore", fd, fd] },
  );
  const seconds = (performance.now() - started) / 1000;
  closeSync(fd);
  const exitCode = result.status ?? 1;
  let peakMiB: number | null = null;
  if (measured && existsSync(timeFile)) {
    // GNU time writes "Command exited with non-zero status N" first when the step fails.
    const last = readFileSync(timeFile, "utf8").trim().split("\n").at(-1) ?? "";
    const kib = Number(last.split(" ")[1]);
    if (Number.isFinite(kib)) peakMiB = kib / 1024;
  }
  return { seconds: exitCode === 0 ? seconds : null, peakMiB, exitCode };
}

/** `Tests  14734 passed (14734)` lines of vitest, summed. */
function passedTests(log: string): number | null {
  if (!existsSync(log)) return null;
  const text = stripVTControlCharacters(readFileSync(log, "utf8"));
  const counts = [...text.matchAll(/Tests\s+(\d+) passed/g)].map((match) => Number(match[1]));
  return counts.length === 0 ? null : counts.reduce((a, b) => a + b, 0);
}

function fileSize(path: string): number | null {
  return existsSync(path) ? statSync(path).size : null;
}

function specCounts(repo: string): Map<string, number | null> {
  const bundled = join(repo, "spec/dist/openapi.json");
  if (!existsSync(bundled))
    return new Map([
      ["operations", null],
      ["schemas", null],
    ]);
  const spec = JSON.parse(readFileSync(bundled, "utf8")) as {
    paths?: Record<string, Record<string, unknown>>;
    components?: { schemas?: Record<string, unknown> };
  };
  const methods = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);
  const operations = Object.values(spec.paths ?? {}).reduce(
    (sum, item) => sum + Object.keys(item).filter((key) => methods.has(key)).length,
    0,
  );
  return new Map([
    ["operations", operations],
    ["schemas", Object.keys(spec.components?.schemas ?? {}).length],
  ]);
}

async function benchFactor(
  root: string,
  factor: number,
  withTest: boolean,
  keep: boolean,
): Promise<FactorResult> {
  const repo = mkdtempSync(join(tmpdir(), `pingback-scale-${factor}x-`));
  const logs = join(reportsDir, `${factor}x`);
  mkdirSync(logs, { recursive: true });
  try {
    copyRepository(root, repo);
    growSpecDir(join(repo, "spec"), factor);
    // Dependencies come from pnpm's store on this machine, as `pnpm install` would link them.
    execFileSync("pnpm", ["install", "--frozen-lockfile", "--offline", "--reporter=silent"], {
      cwd: repo,
      env: stepEnv(),
      stdio: "inherit",
    });
    execFileSync("git", ["init", "-q"], { cwd: repo });
    execFileSync("git", ["add", "-A"], { cwd: repo });
    execFileSync(
      "git",
      [
        "-c",
        "user.name=bench",
        "-c",
        "user.email=bench@example.invalid",
        "commit",
        "-qm",
        `spec grown ${factor}x`,
      ],
      { cwd: repo },
    );
    const result: FactorResult = { factor, steps: new Map(), counts: new Map() };
    for (const step of steps(withTest)) {
      const log = join(logs, `${step.name.replace(/\W+/g, "-").replace(/^-|-$/g, "")}.log`);
      process.stderr.write(`${factor}x: ${step.name} … `);
      const figure = runStep(step, repo, log);
      result.steps.set(step.name, figure);
      process.stderr.write(
        figure.seconds === null
          ? `FAILED (exit ${figure.exitCode}, see ${log})\n`
          : `${figure.seconds.toFixed(1)} s\n`,
      );
      if (step.name.startsWith("contract")) result.counts.set("contract cases", passedTests(log));
      if (step.name.startsWith("pnpm test"))
        result.counts.set("tests passed (pnpm test)", passedTests(log));
    }
    if (result.steps.get("build (types, client)")?.seconds != null) {
      process.stderr.write(`${factor}x: type cost of one call … `);
      const costs = typeCost(repo, (name, output) =>
        writeFileSync(join(logs, `type-cost-${name.replace(/\W+/g, "-")}.log`), output),
      );
      for (const [name, count] of costs) result.counts.set(name, count);
      process.stderr.write(`${[...costs.values()].join(", ")}\n`);
    }
    for (const [name, count] of specCounts(repo)) result.counts.set(name, count);
    result.counts.set(
      "generated bytes (openapi.gen.ts)",
      fileSize(join(repo, "packages/types/src/openapi.gen.ts")),
    );
    result.counts.set("reference page bytes", fileSize(join(repo, "spec/dist/reference.html")));
    return result;
  } finally {
    if (keep) process.stderr.write(`${factor}x: the grown copy is kept at ${repo}\n`);
    else rmSync(repo, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      factor: { type: "string", default: "1,10" },
      "with-test": { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
    },
  });
  const factors = parseFactors(values.factor);
  const root = execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd: toolsDir })
    .toString()
    .trim();
  if (!existsSync(GNU_TIME)) {
    process.stderr.write(
      `No ${GNU_TIME}: peak memory is not measured (apt-get install -y time).\n`,
    );
  }
  const [load1] = loadavg();
  const startLoad = `load average ${load1?.toFixed(2)} on ${cpus().length} cores at the start`;
  const results: FactorResult[] = [];
  for (const factor of factors)
    results.push(await benchFactor(root, factor, values["with-test"], values.keep));
  const [endLoad] = loadavg();
  console.log(
    `\nScale benchmark: the spec grown ${factors.join("x, ")}x (${startLoad}, ${endLoad?.toFixed(2)} at the end); logs in ${reportsDir}\n`,
  );
  console.log(timesTable(results));
  console.log("");
  console.log(countsTable(results));
  console.log(
    "\nexp: growth exponent log(t2/t1)/log(f2/f1) between two factors: 1 is linear, 2 quadratic. Peak RSS: the largest single process of the step.",
  );
  const failed = results.some((result) =>
    [...result.steps.values()].some((step) => step.seconds === null),
  );
  return failed ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  // Bad arguments, or a copy that cannot be set up: say what, without a stack trace.
  console.error(`bench:scale: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
