/**
 * The release set-up, checked where a mistake would otherwise only show on the day of a release:
 * the workflow under .github/workflows/ parses and calls commands that exist, every public package
 * carries the metadata npm shows, and Changesets versions the public packages and never the
 * private ones.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const readJson = (path: string) => JSON.parse(readFileSync(join(root, path), "utf8"));

interface Manifest {
  name: string;
  private?: boolean;
  [field: string]: unknown;
}

/** Every workspace package folder, from pnpm-workspace.yaml (`dir` or `dir/*`). */
function workspaceDirs(): string[] {
  const { packages } = parse(readFileSync(join(root, "pnpm-workspace.yaml"), "utf8")) as {
    packages: string[];
  };
  return packages.flatMap((glob) => {
    if (!glob.endsWith("/*")) return [glob];
    const parent = glob.slice(0, -2);
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`);
  });
}

const manifests = workspaceDirs()
  .filter((dir) => existsSync(join(root, dir, "package.json")))
  .map((dir) => ({ dir, manifest: readJson(`${dir}/package.json`) as Manifest }));
const publicPackages = manifests.filter(({ manifest }) => !manifest.private);
const privatePackages = manifests.filter(({ manifest }) => manifest.private);

describe("the release workflow", () => {
  const workflow = parse(readFileSync(join(root, ".github/workflows/release.yml"), "utf8"));
  const steps = workflow.jobs.release.steps as { uses?: string; run?: string; with?: object }[];
  const rootScripts = readJson("package.json").scripts as Record<string, string>;

  test("runs on pushes to main, one run at a time", () => {
    expect(workflow.on).toEqual({ push: { branches: ["main"] } });
    expect(workflow.concurrency).toBeTruthy();
  });

  test("may push the version branch, open its pull request, and sign provenance", () => {
    expect(workflow.permissions).toEqual({
      contents: "write",
      "pull-requests": "write",
      "id-token": "write",
    });
  });

  test("sets up, tests and checks the tarballs before Changesets versions or publishes", () => {
    const runs = steps.map((step) => step.run ?? step.uses);
    const changesets = runs.findIndex((run) => run?.startsWith("changesets/action@"));
    expect(changesets).toBeGreaterThan(-1);
    expect(runs.slice(0, changesets)).toEqual(
      expect.arrayContaining(["bash scripts/setup", "pnpm test", "pnpm release:check"]),
    );
    expect(steps[changesets]?.with).toMatchObject({
      version: "bash scripts/version-packages",
      publish: expect.stringContaining("changeset publish"),
    });
  });

  test("versions the packages, then records the released spec as the breaking-change baseline", () => {
    const script = readFileSync(join(root, "scripts/version-packages"), "utf8");
    const commands = script.split("\n").filter((line) => line.startsWith("pnpm "));
    expect(commands).toEqual([
      "pnpm exec changeset version",
      "pnpm --filter @pingback/tools spec:baseline",
    ]);
    expect(readJson("tools/package.json").scripts).toHaveProperty(["spec:baseline"]);
  });

  test("calls only scripts and files that exist", () => {
    for (const run of steps.flatMap((step) => step.run ?? [])) {
      const script = run.match(/^pnpm (?!exec )([\w:-]+)/)?.[1];
      if (script) expect(rootScripts, `pnpm ${script}`).toHaveProperty([script]);
      const file = run.match(/^bash (\S+)/)?.[1];
      if (file) expect(existsSync(join(root, file)), file).toBe(true);
    }
    const setupNode = steps.find((step) => step.uses?.startsWith("actions/setup-node@"));
    const nodeVersionFile = (setupNode?.with as { "node-version-file"?: string } | undefined)?.[
      "node-version-file"
    ];
    expect(nodeVersionFile && existsSync(join(root, nodeVersionFile)), "node-version-file").toBe(
      true,
    );
  });
});

describe("every public package", () => {
  test("the public packages are the four libraries", () => {
    expect(publicPackages.map(({ manifest }) => manifest.name).sort()).toEqual([
      "@pingback/client",
      "@pingback/rate-limit-redis",
      "@pingback/testing",
      "@pingback/types",
    ]);
  });

  test.each(publicPackages)("$manifest.name has the metadata npm shows", ({ dir, manifest }) => {
    expect(manifest).toMatchObject({
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      description: expect.any(String),
      license: "MIT",
      repository: { type: "git", url: expect.stringMatching(/^git\+https:/), directory: dir },
      engines: { node: expect.any(String) },
      keywords: expect.arrayContaining(["pingback"]),
      sideEffects: false,
      files: expect.arrayContaining(["dist"]),
      exports: expect.any(Object),
      scripts: expect.objectContaining({ "release:check": expect.any(String) }),
    });
    expect(existsSync(join(root, dir, "LICENSE")), `${dir}/LICENSE`).toBe(true);
  });
});

describe("Changesets", () => {
  const config = readJson(".changeset/config.json");

  test("publishes publicly from main and leaves private packages alone", () => {
    expect(config).toMatchObject({
      baseBranch: "main",
      access: "public",
      privatePackages: { version: false, tag: false },
    });
  });

  // A changeset for @pingback/types, in a scratch copy of the workspace's manifests and config.
  test("a change to @pingback/types releases it, patches @pingback/client, skips private packages", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pingback-changesets-"));
    try {
      const files = ["package.json", "pnpm-workspace.yaml", ".changeset/config.json"];
      for (const file of [...files, ...manifests.map(({ dir: d }) => `${d}/package.json`)]) {
        await cp(join(root, file), join(dir, file), { recursive: true });
      }
      const git = (...args: string[]) => promisify(execFile)("git", args, { cwd: dir });
      await git("init", "-q", "-b", "main");
      await git("add", "-A");
      await git(
        "-c",
        "user.name=test",
        "-c",
        "user.email=test@example.com",
        "commit",
        "-qm",
        "base",
      );
      await writeFile(
        join(dir, ".changeset/types-change.md"),
        '---\n"@pingback/types": minor\n---\n\nA change.\n',
      );
      const changeset = join(root, "node_modules/.bin/changeset");
      await promisify(execFile)(changeset, ["status", "--output=plan.json"], { cwd: dir });
      const plan = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as {
        releases: { name: string; type: string }[];
      };
      const released = Object.fromEntries(plan.releases.map((r) => [r.name, r.type]));
      expect(released).toMatchObject({ "@pingback/types": "minor", "@pingback/client": "patch" });
      for (const { manifest } of privatePackages) {
        expect([undefined, "none"], manifest.name).toContain(released[manifest.name]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
