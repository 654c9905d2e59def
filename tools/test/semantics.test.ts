/** The pure functions of our layer, as tables: normalising, judging accepted values, releases, changesets. */
import { describe, expect, test } from "vitest";
import { judge } from "../src/breaking/accepts.js";
import type { Change } from "../src/breaking/change.js";
import { checkChangesets } from "../src/breaking/changesets.js";
import type { Node } from "../src/breaking/document.js";
import {
  forEngine,
  mergePathParameters,
  unwrapAllOf,
  withDefaults,
} from "../src/breaking/normalise.js";
import { judgePattern } from "../src/breaking/pattern.js";
import { schemaNodeOf } from "../src/breaking/policy.js";
import { type Level, type Release, releaseOf, sectionOf } from "../src/breaking/release.js";
import type { TypesDiff } from "../src/breaking/types-diff.js";

const doc = {
  components: {
    schemas: {
      Origin: { type: "object", properties: { source: { type: "string" } } },
      Loop: { type: "object", properties: { next: { $ref: "#/components/schemas/Loop" } } },
    },
  },
};
const origin = { $ref: "#/components/schemas/Origin" };
const nul = { type: "null" };

describe("judge: the values a schema accepts, before → after", () => {
  test.for<{ given: string; before: Node; after: Node; want: string }>([
    { given: "identical", before: { type: "string" }, after: { type: "string" }, want: "same" },
    {
      given: "made nullable",
      before: { type: "number" },
      after: { oneOf: [{ type: "number" }, nul] },
      want: "wider",
    },
    {
      given: "null branch removed",
      before: { oneOf: [origin, nul] },
      after: origin,
      want: "narrower",
    },
    {
      given: "oneOf → anyOf, branches differ by type",
      before: { oneOf: [origin, nul] },
      after: { anyOf: [origin, nul] },
      want: "same",
    },
    {
      given: "anyOf → oneOf of overlapping branches (refuses what both accept)",
      before: { anyOf: [{ type: "string" }, { type: "string", enum: ["a"] }] },
      after: { oneOf: [{ type: "string" }, { type: "string", enum: ["a"] }] },
      want: "narrower",
    },
    {
      given: "value added to an open enum",
      before: { anyOf: [{ type: "string", enum: ["A"] }, { type: "string" }] },
      after: { anyOf: [{ type: "string", enum: ["A", "B"] }, { type: "string" }] },
      want: "same",
    },
    {
      given: "value and an x- extension added to an open enum (annotations accept no fewer values)",
      before: { anyOf: [{ type: "string", enum: ["A"] }, { type: "string" }] },
      after: {
        anyOf: [
          { type: "string", enum: ["A", "B"], "x-error-catalogue": { B: { status: 429 } } },
          { type: "string" },
        ],
      },
      want: "same",
    },
    {
      given: "value added to a nullable closed enum",
      before: { anyOf: [{ type: "string", enum: ["A"] }, nul] },
      after: { anyOf: [{ type: "string", enum: ["A", "B"] }, nul] },
      want: "wider",
    },
    {
      given: "type array vs oneOf of the same types",
      before: { type: ["number", "null"] },
      after: { oneOf: [{ type: "number" }, nul] },
      want: "same",
    },
    {
      given: "integer within number",
      before: { type: "integer" },
      after: { anyOf: [{ type: "number" }, nul] },
      want: "wider",
    },
    {
      given: "a property's type changed inside a branch",
      before: { oneOf: [origin, nul] },
      after: { oneOf: [{ type: "object", properties: { source: { type: "number" } } }, nul] },
      want: "other",
    },
    {
      given: "a recursive $ref against its own schema inlined once",
      before: { $ref: "#/components/schemas/Loop" },
      after: { type: "object", properties: { next: { $ref: "#/components/schemas/Loop" } } },
      want: "same",
    },
    {
      given: "a recursive schema against itself",
      before: { $ref: "#/components/schemas/Loop" },
      after: { anyOf: [{ $ref: "#/components/schemas/Loop" }, nul] },
      want: "wider",
    },
    {
      given: "a combinator beside a constraint (not judged)",
      before: { type: "string" },
      after: { type: "string", maxLength: 3, anyOf: [{ type: "string" }, nul] },
      want: "other",
    },
  ])("$given: $want", ({ before, after, want }) => {
    expect(judge({ doc, node: before }, { doc, node: after })).toBe(want);
  });
});

describe("unwrapAllOf", () => {
  test.for<{ given: string; node: Node; want: Node }>([
    {
      given: "a $ref with a description",
      node: { allOf: [origin], description: "d" },
      want: origin,
    },
    {
      given: "an inline branch",
      node: { allOf: [{ type: "string" }], title: "t" },
      want: { type: "string", title: "t" },
    },
    {
      given: "a constraint beside it (kept)",
      node: { allOf: [origin], required: ["source"] },
      want: { allOf: [origin], required: ["source"] },
    },
    {
      given: "two branches (kept)",
      node: { allOf: [origin, { type: "object" }] },
      want: { allOf: [origin, { type: "object" }] },
    },
    {
      given: "nested under properties",
      node: { properties: { a: { allOf: [origin] } } },
      want: { properties: { a: origin } },
    },
    {
      given: "example data untouched",
      node: { example: { allOf: [1] } },
      want: { example: { allOf: [1] } },
    },
  ])("$given", ({ node, want }) => {
    expect(unwrapAllOf(node)).toEqual(want);
  });
});

test("mergePathParameters: path-level parameters move into each operation; the operation's own win", () => {
  const id = { name: "id", in: "path", required: true };
  const item: Node = {
    parameters: [id, { name: "q", in: "query" }],
    get: { parameters: [{ name: "q", in: "query", required: true }] },
    post: {},
  };
  mergePathParameters({}, item);
  expect(item).toEqual({
    get: { parameters: [id, { name: "q", in: "query", required: true }] },
    post: { parameters: [id, { name: "q", in: "query" }] },
  });
});

test.for([
  { given: "#/paths/~1a/get/x/oneOf/1", want: ["paths", "/a", "get", "x"] },
  { given: "#/paths/~1a/get/x/anyOf", want: ["paths", "/a", "get", "x"] },
  { given: "#/paths/~1a/get/x", want: ["paths", "/a", "get", "x"] },
])("schemaNodeOf($given)", ({ given, want }) => {
  expect(schemaNodeOf(given)).toEqual(want);
});

const change = (overrides: Partial<Change>): Change => ({
  rule: "added",
  engine: "redocly",
  breaking: false,
  side: "response",
  operation: "getThing (GET /things/{id})",
  location: "response 200",
  message: "m",
  why: "w",
  pointer: "#/paths/~1things~1{id}/get/responses/200",
  bump: "minor",
  kind: "added",
  ...overrides,
});

const typesDiff = (level: Level, surface: "operations" | "exports" = "operations"): TypesDiff => ({
  level,
  comments: level === "patch",
  findings:
    level === "minor" || level === "major" ? [{ level, where: "x", what: "y", surface }] : [],
});

describe("releaseOf: the smallest release of each public package", () => {
  test.for<{ given: string; changes: Partial<Change>[]; types: TypesDiff; want: Release }>([
    {
      given: "no change",
      changes: [],
      types: typesDiff("none"),
      want: { "@pingback/types": "none", "@pingback/client": "none" },
    },
    {
      given: "a description (comments of the types)",
      changes: [{ bump: "patch", kind: "modified" }],
      types: typesDiff("patch"),
      want: { "@pingback/types": "patch", "@pingback/client": "none" },
    },
    {
      given: "an optional field added",
      changes: [{ bump: "minor" }],
      types: typesDiff("minor"),
      want: { "@pingback/types": "minor", "@pingback/client": "minor" },
    },
    {
      given: "a field removed",
      changes: [{ bump: "major", breaking: true }, { bump: "patch" }],
      types: typesDiff("major"),
      want: { "@pingback/types": "major", "@pingback/client": "major" },
    },
    {
      given: "a wire-only break (a lowered maxLength): the types are unchanged",
      changes: [{ bump: "major", breaking: true, side: "request" }],
      types: typesDiff("none"),
      want: { "@pingback/types": "none", "@pingback/client": "major" },
    },
    {
      given: "a schema export removed: no operation changes",
      changes: [],
      types: typesDiff("major", "exports"),
      want: { "@pingback/types": "major", "@pingback/client": "none" },
    },
    {
      given: "a document-level security change",
      changes: [{ bump: "major", breaking: true, pointer: "#/components/securitySchemes/apiKey" }],
      types: typesDiff("none"),
      want: { "@pingback/types": "none", "@pingback/client": "major" },
    },
    {
      given: "an error code's status changed in the catalogue",
      changes: [{ bump: "major", breaking: true, pointer: "#/x-error-catalogue/NOT_FOUND" }],
      types: typesDiff("patch"),
      want: { "@pingback/types": "patch", "@pingback/client": "major" },
    },
    {
      given: "a link added (no caller's code follows links)",
      changes: [{ bump: "minor", rule: "pingback/link-added" }],
      types: typesDiff("none"),
      want: { "@pingback/types": "none", "@pingback/client": "none" },
    },
  ])("$given", ({ changes, types, want }) => {
    expect(releaseOf(changes.map(change), types)).toEqual(want);
  });

  test.for<{ given: Partial<Change>; want: string }>([
    { given: { breaking: true, bump: "major" }, want: "Breaking" },
    { given: { bump: "major", pointer: "#/components/schemas/Thing" }, want: "Breaking" },
    { given: { kind: "modified", property: "deprecated", after: true }, want: "Deprecated" },
    { given: { kind: "added" }, want: "Added" },
    { given: { kind: "modified", rule: "pingback/open-enum-value-added" }, want: "Added" },
    { given: { kind: "modified", bump: "patch" }, want: "Changed" },
  ])("sectionOf %# is $want", ({ given, want }) => {
    expect(sectionOf(change(given))).toBe(want);
  });
});

describe("checkChangesets", () => {
  const minor: Release = { "@pingback/types": "minor", "@pingback/client": "minor" };
  test.for<{ given: string; declared: Record<string, string>; pass: boolean; want: RegExp }>([
    {
      given: "nothing declared",
      declared: {},
      pass: false,
      want: /"@pingback\/types": minor\n"@pingback\/client": minor/,
    },
    {
      given: "only the types",
      declared: { "@pingback/types": "minor" },
      pass: false,
      want: /select @pingback\/client, choose minor/,
    },
    {
      given: "a patch for both",
      declared: { "@pingback/types": "patch", "@pingback/client": "patch" },
      pass: false,
      want: /@pingback\/types minor \(declared: patch\)/,
    },
    {
      given: "minor for both",
      declared: { "@pingback/types": "minor", "@pingback/client": "minor" },
      pass: true,
      want: /^PASS/,
    },
    {
      given: "more than needed",
      declared: { "@pingback/types": "major", "@pingback/client": "major" },
      pass: true,
      want: /^PASS/,
    },
  ])("$given", ({ declared, pass, want }) => {
    const check = checkChangesets(minor, declared as never, "spec/released/openapi.json");
    expect(check.pass).toBe(pass);
    expect(check.message).toMatch(want);
  });
});

describe("judgePattern: the strings a pattern accepts, before → after", () => {
  test.for<{ before: string | undefined; after: string | undefined; want: string }>([
    { before: "^[a-z]+$", after: "^[a-z]+$", want: "same" },
    { before: "^\\d{4}$", after: "^[0-9]{4}$", want: "same" },
    { before: "^[a-z]{3}$", after: "^[a-z]{2,5}$", want: "wider" },
    { before: "^[a-z]+$", after: "^[a-z]{3}$", want: "narrower" },
    { before: "^[a-z]+$", after: "^[a-z0-9_]+$", want: "wider" },
    { before: "^(red|blue)$", after: "^(red|blue|green)$", want: "wider" },
    { before: "^red$", after: "^(red|blue)$", want: "wider" },
    { before: "^(red|blue)$", after: "^red$", want: "narrower" },
    { before: "^[a-z]+$", after: undefined, want: "wider" },
    { before: undefined, after: "^[a-z]+$", want: "narrower" },
    // Beyond what it can judge: a reviewer decides.
    { before: "^[a-z]+$", after: "^[a-z]+(-[a-z]+)*$", want: "other" },
    { before: "^(?=.*[0-9])[a-z0-9]+$", after: "^[a-z0-9]+$", want: "other" },
    { before: "^[^ ]+$", after: "^[^ \\t]+$", want: "other" },
    { before: "^x$", after: "^y$", want: "other" },
  ])("$before → $after: $want", ({ before, after, want }) => {
    expect(judgePattern(before, after)).toBe(want);
  });
});

test.for([
  { server: { url: "https://api.example.com/v1" }, want: "https://api.example.com/v1" },
  {
    server: {
      url: "https://{host}/{version}",
      variables: { host: { default: "api.example.com" }, version: { default: "v1" } },
    },
    want: "https://api.example.com/v1",
  },
  { server: { url: "https://{host}/v1" }, want: "https://{host}/v1" },
])("withDefaults($server.url) is $want", ({ server, want }) => {
  expect(withDefaults(server)).toEqual({ url: want });
});

test("forEngine leaves out what our checks compare, and keeps names that look like extensions", () => {
  const doc = {
    servers: [{ url: "https://api.example.com" }],
    paths: {
      "/a": {
        get: {
          "x-internal": true,
          responses: {
            "200": {
              description: "ok",
              links: { next: { operationId: "a" } },
              headers: { "x-request-id": { schema: { type: "string" } } },
              content: {
                "application/json": {
                  examples: { one: { value: 1 } },
                  schema: {
                    properties: { examples: { type: "string" } },
                    discriminator: { propertyName: "kind", mapping: { a: "#/x" } },
                  },
                },
              },
            },
          },
        },
      },
    },
    components: { examples: { one: { value: 1 } } },
  };
  expect(forEngine(doc)).toEqual({
    paths: {
      "/a": {
        get: {
          responses: {
            "200": {
              description: "ok",
              headers: { "x-request-id": { schema: { type: "string" } } },
              content: {
                "application/json": {
                  schema: {
                    properties: { examples: { type: "string" } },
                    discriminator: { propertyName: "kind" },
                  },
                },
              },
            },
          },
        },
      },
    },
    components: {},
  });
});
