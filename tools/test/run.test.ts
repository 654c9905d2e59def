/**
 * One gate run end to end, in a real git repository: where the base comes from, what is written
 * for CI, and the clear error when there is no base.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse, stringify } from "yaml";
import { recordBaseline } from "../src/breaking/baseline.js";
import { type GateOptions, runGate } from "../src/breaking/run.js";

let repo: string;
let baseText: string;
const git = (...args: string[]) =>
  promisify(execFile)(
    "git",
    ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args],
    {
      cwd: repo,
    },
  );

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), "spec-breaking-repo-"));
  baseText = await readFile(new URL("fixtures/base.yaml", import.meta.url), "utf8");
  await git("init", "-q", "-b", "main");
  await writeFile(join(repo, "README.md"), "before the spec\n");
  await git("add", ".");
  await git("commit", "-q", "-m", "no spec yet");
  await git("tag", "before-spec");
  await mkdir(join(repo, "spec"));
  await writeFile(join(repo, "spec/openapi.yaml"), baseText);
  await git("add", ".");
  await git("commit", "-q", "-m", "the spec");
});
afterAll(() => rm(repo, { recursive: true, force: true }));

function options(overrides: Partial<GateOptions> = {}): GateOptions {
  return {
    specDir: join(repo, "spec"),
    baselineFile: join(repo, "spec/released/openapi.json"),
    baselineLabel: "spec/released/openapi.json",
    summaryFile: join(repo, "reports/spec-breaking.md"),
    ...overrides,
  };
}

async function withSpec(edit: (doc: ReturnType<typeof parse>) => void, run: () => Promise<void>) {
  const doc = parse(baseText);
  edit(doc);
  await writeFile(join(repo, "spec/openapi.yaml"), stringify(doc));
  try {
    await run();
  } finally {
    await writeFile(join(repo, "spec/openapi.yaml"), baseText);
  }
}

const removeScore = (doc: ReturnType<typeof parse>) =>
  delete doc.components.schemas.Thing.properties.score;

describe("the base", () => {
  test("a git ref: the spec as committed there, against the working tree", async () => {
    await withSpec(removeScore, async () => {
      const { verdict, output } = await runGate(options({ base: "main" }));
      expect(verdict.pass).toBe(false);
      expect(output).toMatch(/^BREAKING +listThings \(GET \/things\).*`score`/m);
      expect(output).toMatch(/FAIL: 1 breaking change since main \([0-9a-f]{7}\)/);
      expect(output).toMatch(
        /set info\.version in spec\/openapi\.yaml to 2\.0\.0 \(it is 1\.4\.0\)/,
      );
    });
  });

  test("the released baseline, recorded by spec:baseline", async () => {
    await recordBaseline(join(repo, "spec"), join(repo, "spec/released/openapi.json"), repo);
    try {
      const { verdict, output } = await runGate(options());
      expect(verdict.pass).toBe(true);
      expect(output).toBe("PASS: the contract is unchanged since spec/released/openapi.json.");
    } finally {
      await rm(join(repo, "spec/released"), { recursive: true, force: true });
    }
  });

  test.for([
    {
      given: "no released baseline",
      base: undefined,
      want: /No released baseline at spec\/released/,
    },
    {
      given: "a ref that is not in the clone",
      base: "origin/nope",
      want: /`origin\/nope` is not a commit/,
    },
    {
      given: "a ref without the spec",
      base: "before-spec",
      want: /`before-spec` \([0-9a-f]{7}\) has no spec\//,
    },
  ])("a clear error for $given", async ({ base, want }) => {
    await expect(runGate(options({ base }))).rejects.toThrow(want);
  });
});

describe("the reports for CI", () => {
  test("writes the Markdown summary and appends it to the step summary", async () => {
    const stepSummaryFile = join(repo, "step-summary.md");
    await writeFile(stepSummaryFile, "earlier step\n");
    await withSpec(
      (doc) => {
        removeScore(doc);
        doc.info.version = "2.0.0";
      },
      async () => {
        const { verdict } = await runGate(options({ base: "main", stepSummaryFile }));
        expect(verdict.pass).toBe(true);
      },
    );
    const summary = await readFile(join(repo, "reports/spec-breaking.md"), "utf8");
    expect(summary).toMatch(/^## Spec breaking-change gate\n\nPASS: 1 breaking change since `main/);
    expect(summary).toMatch(/declared by the new major version 2\.0\.0 \(was 1\.4\.0\)/);
    expect(summary).toMatch(/\| 🔴 breaking \| listThings \(GET \/things\).*`score`/);
    expect(await readFile(stepSummaryFile, "utf8")).toBe(`earlier step\n${summary}`);
  });
});
