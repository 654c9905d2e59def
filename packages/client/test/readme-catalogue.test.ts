/** The README's table of error codes is the spec's catalogue, row for row. */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { expect, test } from "vitest";

const spec = JSON.parse(
  await readFile(createRequire(import.meta.url).resolve("@pingback/spec/openapi.json"), "utf8"),
);
const catalogue: Record<string, { status: number; message: string }> =
  spec.components.schemas.KnownErrorCode["x-error-catalogue"];

test("the README lists every code of the spec's catalogue, with its status and message, in order", async () => {
  const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
  const section = readme.match(
    /<!-- error-catalogue[^>]*-->\n([\s\S]*?)<!-- \/error-catalogue -->/,
  );
  if (!section?.[1]) throw new Error("The README has no error-catalogue section.");
  const rows = section[1].trim().split("\n").slice(2);
  const want = Object.entries(catalogue).map(
    ([code, { status, message }]) => `| \`${code}\` | ${status} | ${message} |`,
  );
  expect(
    rows,
    `The README's error codes differ from the spec; the rows are:\n${want.join("\n")}`,
  ).toEqual(want);
});
