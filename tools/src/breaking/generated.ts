/**
 * The files `pnpm generate` writes into `@pingback/types` for a bundled spec, made by the types
 * package's own generator (packages/types/scripts/generate.ts), so the gate judges exactly what
 * a release would publish, and their comparison (types-diff.ts).
 *
 * Loading openapi-typescript costs about a second, as much as the rest of the gate: the load
 * starts first thing (`loadGenerator`), so that it overlaps the bundling and the engine's run.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Node } from "./document.js";
import { diffGenerated, type Generated, type TypesDiff } from "./types-diff.js";

interface Generator {
  renderTypes(spec: Node): Promise<string>;
  renderSecurity(spec: Node): string;
}

const require = createRequire(import.meta.url);
const typesDir = dirname(require.resolve("@pingback/types/package.json"));
const script = join(typesDir, "scripts/generate.ts");

let loading: Promise<Generator> | undefined;

/** Starts loading the generator; call it early, so the load overlaps other work. */
export function loadGenerator(): Promise<Generator> {
  loading ??= import(pathToFileURL(script).href) as Promise<Generator>;
  return loading;
}

/** `openapi.gen.ts` and `security.gen.ts` for a bundled (not normalised) spec. */
export async function generate(spec: Node): Promise<Generated> {
  const generator = await loadGenerator();
  return {
    "openapi.gen.ts": await generator.renderTypes(structuredClone(spec)),
    "security.gen.ts": generator.renderSecurity(spec),
  };
}

/** The comparison of the generated types of two bundled specs. */
export async function compareGenerated(base: Node, revision: Node): Promise<TypesDiff> {
  const [a, b] = await Promise.all([generate(base), generate(revision)]);
  const ts = (await import("typescript")).default;
  return diffGenerated(ts, a, b);
}
