/**
 * The files `pnpm generate` writes into `@pingback/types` for a bundled spec, made by the types
 * package's own generator (packages/types/scripts/generate.ts), so the gate judges exactly what a
 * release would publish.
 *
 * Loading openapi-typescript and TypeScript costs more CPU than the rest of the gate together
 * (about a second), so what they produce is kept in `tools/node_modules/.cache/spec-gate/`, named
 * by a hash of all it depends on (the bundles, the generator's source, the versions of
 * openapi-typescript and TypeScript, the comparison's source): a pair already compared is never
 * compared again. When the spec's files are ones not seen before, the generator starts loading at
 * once (`preloadFor`), so that the load overlaps the bundling and the engine's run.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Node } from "./document.js";
import { diffGenerated, type Generated, type TypesDiff } from "./types-diff.js";

interface Generator {
  renderTypes(spec: Node): Promise<string>;
  renderSecurity(spec: Node): string;
}

const script = join(
  dirname(createRequire(import.meta.url).resolve("@pingback/types/package.json")),
  "scripts/generate.ts",
);
/** Where generated files and their comparisons are kept, by the hash of what they depend on. */
export const cacheDir = fileURLToPath(
  new URL("../../node_modules/.cache/spec-gate/", import.meta.url),
);

let loading: Promise<Generator> | undefined;

function loadGenerator(): Promise<Generator> {
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

/** A bundle: its text (what the cache is keyed by) and the document parsed from it. */
export interface Bundle {
  text: string;
  doc: Node;
}

/**
 * The comparison of the generated types of two bundles (types-diff.ts), from the cache when both
 * were compared before: then neither openapi-typescript nor TypeScript is loaded at all.
 */
export async function compareTypes(base: Bundle, revision: Bundle): Promise<TypesDiff> {
  const source = await readFile(new URL("./types-diff.ts", import.meta.url), "utf8");
  const key = await keyOf(`${await keyOf(base.text)}|${await keyOf(revision.text)}|${source}`);
  return cached(`diff-${key}`, async () => {
    const [a, b] = await Promise.all([generateCached(base), generateCached(revision)]);
    const ts = (await import("typescript")).default;
    return diffGenerated(ts, a, b);
  });
}

async function generateCached({ text, doc }: Bundle): Promise<Generated> {
  return cached(await keyOf(text), () => generate(doc));
}

async function cached<T>(name: string, make: () => Promise<T>): Promise<T> {
  const file = join(cacheDir, `${name}.json`);
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text) return JSON.parse(text) as T;
  const value = await make();
  // A cache that cannot be written only costs time.
  await mkdir(cacheDir, { recursive: true })
    .then(() => writeFile(file, JSON.stringify(value)))
    .catch(() => {});
  return value;
}

/**
 * Starts loading the generator now unless the spec's files (everything under `specDir` but its
 * build output) were generated before: a hint only, the cache itself is keyed by the bundle.
 */
export async function preloadFor(specDir: string): Promise<void> {
  const marker = join(cacheDir, `files-${await keyOf(await filesOf(specDir))}`);
  if (await stat(marker).catch(() => undefined)) return;
  void loadGenerator();
  await mkdir(cacheDir, { recursive: true })
    .then(() => writeFile(marker, ""))
    .catch(() => {});
}

let generatorKey: Promise<string> | undefined;

async function keyOf(text: string): Promise<string> {
  generatorKey ??= (async () => {
    const hash = createHash("sha256").update(await readFile(script, "utf8"));
    for (const name of ["openapi-typescript", "typescript"]) {
      const manifest = createRequire(script).resolve(`${name}/package.json`);
      hash.update(JSON.parse(await readFile(manifest, "utf8")).version);
    }
    return hash.digest("hex");
  })();
  return createHash("sha256")
    .update(await generatorKey)
    .update(text)
    .digest("hex")
    .slice(0, 32);
}

/** The names and contents of a spec folder's source files, as one text. */
async function filesOf(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !/[/\\](node_modules|dist)[/\\]/.test(file))
    .sort();
  const parts = await Promise.all(
    files.map(async (file) => `${file}\n${await readFile(file, "utf8")}`),
  );
  return parts.join("\n");
}
