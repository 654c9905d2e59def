/** The client runs in browsers, Deno, Bun and edge runtimes: src/ uses no Node built-in. */
import { readdir, readFile } from "node:fs/promises";
import { expect, test } from "vitest";

const NODE_ONLY = [
  /from\s+["']node:/,
  /from\s+["'](fs|path|http|https|net|url|util|zlib|crypto|stream|events|buffer|os)["']/,
  /\brequire\(/,
  /\bprocess\./,
  /\bBuffer\b/,
];

test("no file in src/ imports a Node built-in or uses process/Buffer/require", async () => {
  const dir = new URL("../src/", import.meta.url);
  const files = (await readdir(dir)).filter((f) => f.endsWith(".ts"));
  expect(files.length).toBeGreaterThan(5);
  const offenders: string[] = [];
  for (const file of files) {
    const text = await readFile(new URL(file, dir), "utf8");
    for (const pattern of NODE_ONLY) if (pattern.test(text)) offenders.push(`${file}: ${pattern}`);
  }
  expect(offenders).toEqual([]);
});

test("the only runtime dependencies are openapi-fetch and @pingback/types", async () => {
  const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
  expect(Object.keys(pkg.dependencies).sort()).toEqual(["@pingback/types", "openapi-fetch"]);
  expect(pkg.sideEffects).toBe(false);
});
