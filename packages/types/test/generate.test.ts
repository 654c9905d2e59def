import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { describe, expect, test } from "vitest";
import { renderSecurity, renderTypes, schemaTypeName } from "../scripts/generate.js";

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

describe("renderSecurity", () => {
  const secured = { apiKeyAuth: { type: "apiKey", in: "header", name: "x-api-key" } };
  const specWith = (operation: object, security: object[] | null = [{ apiKeyAuth: [] }]) => ({
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    ...(security && { security }),
    components: { securitySchemes: secured },
    paths: { "/things/{id}": { post: { operationId: "doThing", ...operation } } },
  });
  const table = (text: string) => text.slice(text.indexOf("API_KEY_EXCEPTIONS:"));

  test.each([
    { given: "no security of its own: the spec's (not an exception)", operation: {}, want: null },
    { given: "security: []", operation: { security: [] }, want: "post: false" },
    { given: "security: [{}] (anonymous)", operation: { security: [{}] }, want: "post: false" },
    {
      given: "the key as one alternative (not an exception)",
      operation: { security: [{}, { apiKeyAuth: [] }] },
      want: null,
    },
  ])("an operation with $given → $want", ({ operation, want }) => {
    const exceptions = table(renderSecurity(specWith(operation) as never));
    if (want) expect(exceptions).toContain(`"/things/{id}": { ${want} }`);
    else expect(exceptions).not.toContain('"/things/{id}"');
  });

  test("a spec with no global security sends no key by default; an operation that asks for it is the exception", () => {
    const text = renderSecurity(specWith({ security: [{ apiKeyAuth: [] }] }, null) as never);
    expect(text).toContain("API_KEY_REQUIRED_BY_DEFAULT: boolean = false;");
    expect(table(text)).toContain('"/things/{id}": { post: true }');
  });

  test("lists only the exceptions of the real spec, and opens with a do-not-edit header", () => {
    const text = renderSecurity(spec);
    expect(text.split("\n").slice(0, 4).join("\n")).toMatch(/Do not edit[\s\S]*pnpm generate/);
    const exceptions = table(text);
    // The spec's default is the key: a path is listed iff one of its operations has `security: []`.
    for (const [path, item] of Object.entries(spec.paths as Record<string, object>)) {
      const open = Object.entries(item as Record<string, { security?: unknown[] }>).some(
        ([method, operation]) =>
          method !== "parameters" &&
          Array.isArray(operation.security) &&
          operation.security.length === 0,
      );
      expect(exceptions.includes(`${JSON.stringify(path)}: {`), path).toBe(open);
    }
  });
});
