/** The policy in README.md must name every rule of our own, so the written policy cannot drift. */
import { readFile } from "node:fs/promises";
import { expect, test } from "vitest";

const read = (path: string) => readFile(new URL(path, import.meta.url), "utf8");

test("README.md lists every rule of our own checks and policy", async () => {
  const sources = await Promise.all([
    read("../src/breaking/checks.ts"),
    read("../src/breaking/policy.ts"),
  ]);
  const rules = [...new Set(sources.join("\n").match(/(?<!@)pingback\/[a-z-]+/g))];
  expect(rules.length).toBeGreaterThan(0);
  const readme = await read("../README.md");
  expect(rules.filter((rule) => !readme.includes(`\`${rule}\``))).toEqual([]);
});
