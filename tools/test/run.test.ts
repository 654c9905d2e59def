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
import { type GateOptions, runChangesetCheck, runGate } from "../src/breaking/run.js";

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
  await mkdir(join(repo, ".changeset"));
  await writeFile(join(repo, ".changeset/README.md"), "Changesets.\n");
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
      expect(output).toBe(
        [
          "Release: @pingback/types none, @pingback/client none (the smallest bumps the change needs; `pnpm --filter @pingback/tools spec:changesets` checks the pending changesets).",
          "PASS: the contract is unchanged since spec/released/openapi.json.",
        ].join("\n"),
      );
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

describe("a change the gate cannot judge (cannot tell: review)", () => {
  const reviewedFile = () => join(repo, "reviewed-changes.txt");
  const undecidable = (doc: ReturnType<typeof parse>) => {
    doc.components.schemas.ThingCreate.properties.code.pattern = "^[a-z]+(-[a-z]+)*$";
  };

  test("fails until a reviewer lists its id, then passes", async () => {
    await withSpec(undecidable, async () => {
      const first = await runGate(options({ base: "main", reviewedFile: reviewedFile() }));
      expect(first.verdict.pass).toBe(false);
      expect(first.output).toMatch(
        /^REVIEW +createThing \(POST \/things\) .*`pattern`.*\[pingback\/pattern-review (review-[0-9a-f]{10})\]/m,
      );
      expect(first.output).toMatch(
        /FAIL: 1 change since main .* cannot judge \(cannot tell: review\)/,
      );
      const id = /\[pingback\/pattern-review (review-[0-9a-f]{10})\]/.exec(first.output)?.[1];
      await writeFile(reviewedFile(), `# code may hold dashes: checked by hand\n${id}\n`);
      try {
        const second = await runGate(options({ base: "main", reviewedFile: reviewedFile() }));
        expect(second.verdict.pass).toBe(true);
        expect(second.verdict.review).toMatchObject([{ id, accepted: true }]);
      } finally {
        await rm(reviewedFile(), { force: true });
      }
    });
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
    expect(summary).toMatch(
      /### 🔴 Breaking \(1\)\n\n#### listThings \(GET \/things\).*\n\n\| Location \| Change \| Why \| Rule \|\n.*\n\| response 200 .*`score`/,
    );
    expect(await readFile(stepSummaryFile, "utf8")).toBe(`earlier step\n${summary}`);
  });
});

describe("the changeset check (spec:changesets)", () => {
  const check = (base?: string) => runChangesetCheck({ ...options({ base }), repoRoot: repo });
  const addCreatedAt = (doc: ReturnType<typeof parse>) => {
    doc.components.schemas.Thing.properties.createdAt = { type: "string", format: "date-time" };
  };
  const changeset = async (name: string, types: string, client: string) => {
    const file = join(repo, ".changeset", `${name}.md`);
    await writeFile(
      file,
      `---\n"@pingback/types": ${types}\n"@pingback/client": ${client}\n---\n\nThings have createdAt.\n`,
    );
    return file;
  };
  const release = () =>
    recordBaseline(join(repo, "spec"), join(repo, "spec/released/openapi.json"), repo);

  beforeAll(release);
  afterAll(() => rm(join(repo, "spec/released"), { recursive: true, force: true }));

  test("a spec change with no changeset fails, naming the bump and the changeset to write", async () => {
    await withSpec(addCreatedAt, async () => {
      const { pass, message } = await check();
      expect(pass).toBe(false);
      expect(message).toMatch(
        /needs a release the pending changesets do not declare: @pingback\/types minor \(declared: none\), @pingback\/client minor \(declared: none\)/,
      );
      expect(message).toMatch(
        /Run `pnpm changeset`, select @pingback\/types and @pingback\/client, choose minor/,
      );
      // One proposed changeset per package, each carrying that package's release notes.
      expect(message).toContain('.changeset/api-client.md:\n---\n"@pingback/client": minor\n---');
      expect(message).toContain('.changeset/api-types.md:\n---\n"@pingback/types": minor\n---');
      expect(message).toMatch(
        /\*\*Added\*\*\n\n- .*data\[\]\.createdAt: Property `createdAt` was added\./,
      );
      expect(message).toMatch(/\*\*Added\*\*\n\n- `Thing`: optional `createdAt` added\./);
    });
  });

  test("the proposed changesets, committed as they are, satisfy the check", async () => {
    await withSpec(addCreatedAt, async () => {
      const { message } = await check();
      // Each proposal: its file name, then the file as it is to be committed.
      const files = message
        .split(/\n\n(?=\.changeset\/api-)/)
        .slice(1)
        .map((chunk) => ["", ...chunk.split(/:\n(?=---)/)]);
      expect(files).toHaveLength(2);
      try {
        for (const [, file, text] of files) await writeFile(join(repo, file ?? ""), text ?? "");
        expect(await check()).toMatchObject({ pass: true });
      } finally {
        for (const [, file] of files) await rm(join(repo, file ?? ""), { force: true });
      }
    });
  });

  test("with a minor changeset for an added optional field, it passes", async () => {
    const file = await changeset("created-at", "minor", "minor");
    try {
      await withSpec(addCreatedAt, async () => {
        const { pass, message } = await check();
        expect(message).toMatch(/^PASS: .*@pingback\/types minor \(declared: minor\)/);
        expect(pass).toBe(true);
      });
    } finally {
      await rm(file);
    }
  });

  test("a removed response field needs a major", async () => {
    const file = await changeset("score", "minor", "minor");
    try {
      await withSpec(removeScore, async () => {
        const minor = await check();
        expect(minor.pass).toBe(false);
        expect(minor.message).toMatch(/@pingback\/types major \(declared: minor\)/);
        await changeset("score", "major", "major");
        expect((await check()).pass).toBe(true);
      });
    } finally {
      await rm(file);
    }
  });

  test("after a release (changesets consumed, baseline recorded) nothing is needed", async () => {
    await withSpec(addCreatedAt, async () => {
      const file = await changeset("created-at", "minor", "minor");
      // What scripts/version-packages does: `changeset version` deletes the changesets, then spec:baseline.
      await rm(file);
      await release();
      try {
        const { pass, message } = await check();
        expect(message).toMatch(/no changeset needed/);
        expect(pass).toBe(true);
      } finally {
        await writeFile(join(repo, "spec/openapi.yaml"), baseText);
        await release();
      }
    });
  });

  test("against a branch, only the changesets the branch adds count", async () => {
    // main carries a pending changeset of its own; the branch changes the spec without one.
    await changeset("on-main", "minor", "minor");
    await git("add", "-A");
    await git("commit", "-q", "-m", "a pending changeset on main");
    await git("checkout", "-q", "-b", "feature");
    try {
      const doc = parse(baseText);
      addCreatedAt(doc);
      await writeFile(join(repo, "spec/openapi.yaml"), stringify(doc));
      await git("commit", "-q", "-am", "createdAt");
      const without = await check("main");
      expect(without.pass).toBe(false);
      expect(without.message).toMatch(
        /since main \([0-9a-f]{7}\) needs .*@pingback\/types minor \(declared: none\)/,
      );
      await changeset("feature", "minor", "minor");
      await git("add", "-A");
      await git("commit", "-q", "-m", "its changeset");
      expect((await check("main")).pass).toBe(true);
    } finally {
      await git("checkout", "-q", "-f", "main");
      await git("branch", "-q", "-D", "feature");
    }
  });
});
