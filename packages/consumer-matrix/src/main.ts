/**
 * The consumer and runtime matrix (`pnpm release:check` runs it): packs every public package of the
 * workspace as `pnpm publish` would, installs the tarballs with npm into a throwaway project outside
 * the workspace, and runs each consumer against a stub of the API. Prints a table; exits 1 if a
 * cell fails. `PINGBACK_MATRIX_KEEP=1` keeps the throwaway project and names its folder;
 * `PINGBACK_MATRIX_ONLY=<regex>` runs only the rows it matches (while working on one).
 */

import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApp } from "./app.js";
import { type Cell, type Column, type Context, cells } from "./rows.js";
import { mustRun, type RunResult } from "./run.js";
import { startStub } from "./stub.js";
import { cacheRoot } from "./tools.js";
import { publicPackages } from "./workspace.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const require = createRequire(import.meta.url);
const started = performance.now();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const work = await mkdtemp(join(tmpdir(), "pingback-matrix-"));
try {
  process.exitCode = (await runMatrix(work)) ? 0 : 1;
} finally {
  if (process.env.PINGBACK_MATRIX_KEEP) console.log(`Kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}

/** Packs, installs, runs every cell, prints the table; true when every cell passed. */
async function runMatrix(work: string): Promise<boolean> {
  const packages = publicPackages(root);
  console.log(`Packing ${packages.map((p) => p.name).join(", ")} into ${work}`);
  const tarballDir = join(work, "tarballs");
  for (const { dir } of packages) {
    await mustRun("pnpm", ["pack", "--pack-destination", tarballDir], { cwd: dir });
  }
  const tarballs = (await readdir(tarballDir)).map((file) => join(tarballDir, file));

  console.log(`Installing them with npm into ${join(work, "app")} (tools cached in ${cacheRoot})`);
  const quickstart = join(root, "examples/quickstart/src/quickstart.ts");
  const app = await createApp(join(work, "app"), tarballs, quickstart);
  const spec = JSON.parse(await readFile(require.resolve("@pingback/spec/openapi.json"), "utf8"));
  const stub = await startStub(spec);
  const context: Context = { app, stub };

  const only = new RegExp(process.env.PINGBACK_MATRIX_ONLY ?? "");
  const all = cells().filter((cell) => only.test(cell.row));
  const results = new Map<Cell, RunResult>();
  const queue = [...all];
  // As many cells at once as there are cores, and at least two: most wait on a child process.
  const workers = Math.max(2, availableParallelism());
  try {
    await Promise.all(
      Array.from({ length: workers }, async () => {
        for (let cell = queue.shift(); cell; cell = queue.shift()) {
          const result = await cell.run(context).catch(
            (error: Error): RunResult => ({
              ok: false,
              output: error.stack ?? String(error),
              ms: 0,
            }),
          );
          results.set(cell, result);
          const verdict = result.ok ? "pass" : "FAIL";
          console.log(`${verdict}  ${cell.row} · ${cell.column} (${seconds(result.ms)})`);
        }
      }),
    );
  } finally {
    await stub.close();
  }

  printTable(all, results);
  const failed = all.filter((cell) => !results.get(cell)?.ok);
  for (const cell of failed) {
    const output = results.get(cell)?.output.slice(-4_000);
    console.log(`\n--- FAIL: ${cell.row} · ${cell.column} ---\n${output}`);
  }
  const took = seconds(performance.now() - started);
  console.log(
    `\n${all.length - failed.length} passed, ${failed.length} failed; the matrix took ${took}`,
  );
  return failed.length === 0;
}

function printTable(cells: Cell[], results: Map<Cell, RunResult>) {
  const rows = [...new Set(cells.map((cell) => cell.row))];
  const cellText = (row: string, column: Column) => {
    const cell = cells.find((c) => c.row === row && c.column === column);
    if (!cell) return "—";
    return results.get(cell)?.ok ? "pass" : "FAIL";
  };
  const lines = [
    ["consumer / runtime", "import (ESM)", "require (CJS)"],
    ...rows.map((row) => [row, cellText(row, "import"), cellText(row, "require")]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...lines.map((line) => (line[i] ?? "").length)));
  const format = (line: string[]) =>
    `| ${line.map((text, i) => text.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(`\n${format(lines[0] ?? [])}`);
  console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
  for (const line of lines.slice(1)) console.log(format(line));
}
