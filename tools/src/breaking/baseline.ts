/** Records the current spec as the released baseline that `spec:breaking` compares with. */
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { bundleSpec } from "./bundle.js";

const biome = join(
  dirname(createRequire(import.meta.url).resolve("@biomejs/biome/package.json")),
  "bin/biome",
);

/** Bundles `specDir/openapi.yaml` into `file`, formatted the way the repository's Biome wants it. */
export async function recordBaseline(
  specDir: string,
  file: string,
  repoRoot: string,
): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await bundleSpec(join(specDir, "openapi.yaml"), file);
  await promisify(execFile)(process.execPath, [biome, "format", "--write", file], {
    cwd: repoRoot,
  });
}
