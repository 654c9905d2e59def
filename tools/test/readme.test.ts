/** The policy and the release table in README.md must match the code and the tests, so neither can drift. */
import { readFile } from "node:fs/promises";
import { expect, test } from "vitest";
import { releaseRows } from "./release-rows.js";

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

test("README.md's release table holds exactly the rows the tests run, with their releases", async () => {
  const readme = await read("../README.md");
  const table = readme.slice(
    readme.indexOf("| Change | API | `@pingback/types` | `@pingback/client` |"),
  );
  const lines = table.split("\n").slice(2);
  const rows = lines
    .slice(
      0,
      lines.findIndex((line) => !line.startsWith("| ")),
    )
    .map((line) => line.split(" | ").map((cell) => cell.replace(/^\| | \|$/g, "")));
  // The first word of a cell is the release; what follows in brackets says why.
  const written = rows.map(([change, api, types, client]) => ({
    change,
    api: api === "cannot tell: review" ? "review" : api,
    types: types?.split(" ")[0],
    client: client?.split(" ")[0],
  }));
  expect(written).toEqual(
    releaseRows.map(({ change, api, types, client }) => ({ change, api, types, client })),
  );
});
