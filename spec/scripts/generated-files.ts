/**
 * What every package that derives files from the spec shares (`@pingback/spec/generated-files`):
 * reading the bundled spec, and writing the derived files or, with `--check`, failing on a stale
 * one with the command that fixes it.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** The bundled spec (`dist/openapi.json`), or undefined after saying how to make it. */
export async function readBundledSpec<Spec>(): Promise<Spec | undefined> {
  const specPath = createRequire(import.meta.url).resolve("@pingback/spec/openapi.json");
  if (!existsSync(specPath)) {
    console.error(
      `The bundled spec ${specPath} is missing: run \`pnpm build\` at the repository root first.`,
    );
    return undefined;
  }
  return JSON.parse(await readFile(specPath, "utf8")) as Spec;
}

/**
 * Writes each `[file, text]` under `srcDir` or, with `check`, writes nothing and names every file
 * whose committed text differs. Resolves to the exit code: 0, or 1 when a file is stale.
 *
 * @param packageDir the package's folder from the repository root, for messages (`packages/types`).
 */
export async function writeGenerated(
  packageDir: string,
  srcDir: URL,
  files: Iterable<readonly [file: string, text: string]>,
  check: boolean,
): Promise<number> {
  let stale = 0;
  for (const [file, text] of files) {
    const target = fileURLToPath(new URL(file, srcDir));
    if (!check) {
      await writeFile(target, text);
      continue;
    }
    const current = existsSync(target) ? await readFile(target, "utf8") : "";
    if (current === text) continue;
    stale++;
    console.error(
      `${packageDir}/src/${file} is stale: it no longer matches spec/.\n` +
        `Fix: run \`pnpm generate\` at the repository root, then commit src/${file}.`,
    );
  }
  return stale === 0 ? 0 : 1;
}
