import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { describe, expect, test } from "vitest";
import { renderTypes, schemaTypeName } from "../scripts/generate.js";

const spec = JSON.parse(
  await readFile(createRequire(import.meta.url).resolve("@pingback/spec/openapi.json"), "utf8"),
);

// A render costs time in proportion to the spec (about 2.5 ms per operation alone, 2 s at 900
// operations); the bound allows a busy two-core machine ten times that, per render.
const operationCount = Object.values(spec.paths as Record<string, object>).flatMap((item) =>
  Object.keys(item).filter((key) => /^(get|put|post|delete|options|head|patch|trace)$/.test(key)),
).length;
const perRender = 5_000 + 25 * operationCount;

describe("schemaTypeName", () => {
  test.each([
    { given: "Contact", want: "Contact" },
    { given: "Error", want: "ErrorBody" },
    { given: "SegmentPage", want: "SegmentPage" },
  ])("$given is exported as $want", ({ given, want }) => {
    expect(schemaTypeName(given)).toBe(want);
  });
});

describe("renderTypes", () => {
  // Rendered once for the tests that read the spec as it is.
  let rendered: Promise<string> | undefined;
  const renderSpec = () => {
    rendered ??= renderTypes(spec);
    return rendered;
  };

  test("opens with a do-not-edit header naming the command", { timeout: perRender }, async () => {
    const text = await renderSpec();
    expect(text.split("\n").slice(0, 4).join("\n")).toMatch(/Do not edit[\s\S]*pnpm generate/);
  });

  test("names every schema of the spec, so a new schema needs no hand edit", {
    timeout: perRender,
  }, async () => {
    const withNewSchema = structuredClone(spec);
    withNewSchema.components.schemas.Note = {
      type: "object",
      properties: { text: { type: "string" } },
    };
    // One pass over the output: its lines in a set, then one lookup per schema.
    const lines = new Set((await renderTypes(withNewSchema)).split("\n"));
    const missing = Object.keys(withNewSchema.components.schemas).filter(
      (name) =>
        !lines.has(`export type ${schemaTypeName(name)} = components["schemas"]["${name}"];`),
    );
    expect(missing).toEqual([]);
  });

  test("is deterministic", { timeout: 2 * perRender }, async () => {
    expect(await renderTypes(spec)).toBe(await renderSpec());
  });
});
