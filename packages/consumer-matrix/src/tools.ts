/**
 * Tools installed with npm into a cache outside the repository, one folder per package@version,
 * so that a second run installs nothing; an empty cache fills itself from the npm registry.
 * `PINGBACK_MATRIX_CACHE` moves it (default `$XDG_CACHE_HOME/pingback-matrix` or
 * `~/.cache/pingback-matrix`).
 */
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { mustRun } from "./run.js";

export const cacheRoot =
  process.env.PINGBACK_MATRIX_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "pingback-matrix");

const installing = new Map<string, Promise<string>>();

/** The `node_modules/<name>` folder of `spec` (`name@version`), installed once. */
export function installTool(spec: string): Promise<string> {
  let pending = installing.get(spec);
  if (!pending) {
    pending = install(spec);
    installing.set(spec, pending);
  }
  return pending;
}

async function install(spec: string): Promise<string> {
  const name = spec.slice(0, spec.lastIndexOf("@"));
  const dir = join(cacheRoot, "tools", spec.replace(/[/@]/g, "_"));
  const installed = join(dir, "node_modules", name);
  if (existsSync(join(dir, ".complete"))) return installed;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "package.json"), '{ "private": true }\n');
  // No package's install script runs: every tool here works without one.
  await mustRun(
    "npm",
    ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefer-offline", spec],
    { cwd: dir, timeoutMs: 600_000 },
  );
  await writeFile(join(dir, ".complete"), `${spec}\n`);
  return installed;
}
