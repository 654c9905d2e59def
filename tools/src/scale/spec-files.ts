/** Reads a split spec's files from a folder, and writes a grown one back. */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { growSpec, pinnedRefPatterns, ROOT_FILE, type SpecFiles } from "./grow.js";

/** Folders of a spec package that are not its source (build output, baselines, tooling). */
const NOT_SPEC = new Set(["node_modules", "dist", "released", "reports", "scripts", "test"]);

/** Every .yaml file of the spec folder except redocly.yaml, by its posix path in the folder. */
export function readSpecFiles(specDir: string): SpecFiles {
  const files: SpecFiles = new Map();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!NOT_SPEC.has(entry.name)) walk(path);
      } else if (/\.ya?ml$/.test(entry.name) && entry.name !== "redocly.yaml") {
        files.set(relative(specDir, path).split(sep).join("/"), readFileSync(path, "utf8"));
      }
    }
  };
  walk(specDir);
  if (!files.has(ROOT_FILE))
    throw new Error(`${specDir} has no ${ROOT_FILE}: is it a spec folder?`);
  return files;
}

/** Grows the spec in `specDir` in place (use it on a copy), with the files pinned by its redocly.yaml shared. */
export function growSpecDir(specDir: string, factor: number): void {
  const pinned = pinnedRefPatterns(readFileSync(join(specDir, "redocly.yaml"), "utf8"));
  const files = readSpecFiles(specDir);
  const grown = growSpec(files, factor, pinned);
  for (const [file, text] of grown) {
    if (files.get(file) === text) continue;
    const path = join(specDir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  // Built output of the ungrown spec must not be mistaken for the grown one.
  rmSync(join(specDir, "dist"), { recursive: true, force: true });
}
