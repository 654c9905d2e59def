import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { describe, expect, test } from "vitest";
import { renderTypes, schemaTypeName } from "../scripts/generate.js";

const spec = JSON.parse(
  await readFile(createRequire(import.meta.url).resolve("@pingback/spec/openapi.json"), "utf8"),
);

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
  test("opens with a do-not-edit header naming the command", async () => {
    const text = await renderTypes(spec);
    expect(text.split("\n").slice(0, 4).join("\n")).toMatch(/Do not edit[\s\S]*pnpm generate/);
  });

  test("names every schema of the spec, so a new schema needs no hand edit", async () => {
    const withNewSchema = structuredClone(spec);
    withNewSchema.components.schemas.Note = {
      type: "object",
      properties: { text: { type: "string" } },
    };
    const text = await renderTypes(withNewSchema);
    for (const name of Object.keys(withNewSchema.components.schemas)) {
      expect(text).toContain(
        `export type ${schemaTypeName(name)} = components["schemas"]["${name}"];`,
      );
    }
  });

  test("is deterministic", async () => {
    expect(await renderTypes(spec)).toBe(await renderTypes(spec));
  });
});
