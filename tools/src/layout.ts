/** Where things are in this repository, found from the installed packages rather than guessed. */
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const toolsDir = fileURLToPath(new URL("..", import.meta.url));
export const repoRoot = join(toolsDir, "..");
export const specDir = dirname(
  createRequire(import.meta.url).resolve("@pingback/spec/package.json"),
);
/** The bundled spec of the last release: what published clients were built against. */
export const baselineFile = join(specDir, "released/openapi.json");
export const baselineLabel = relative(repoRoot, baselineFile);
export const summaryFile = join(toolsDir, "reports/spec-breaking.md");
/** The ids of changes the gate cannot judge that a reviewer accepted as compatible. */
export const reviewedFile = join(toolsDir, "reviewed-changes.txt");
