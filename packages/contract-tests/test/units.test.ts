import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { coverageKey, documentedExamples, exampleCases } from "../src/cases.js";
import { coverageReport, type Exclusion, loadExclusions } from "../src/coverage.js";
import { readLiveConfig } from "../src/live.js";
import { negativeCases, setAt, valueMutations } from "../src/negatives.js";
import { boundedLog, redact } from "../src/prism.js";
import { type Json, type JsonObject, loadSpec } from "../src/spec.js";
import { createValidator } from "../src/validator.js";

const spec = loadSpec();

describe("case discovery reads the spec, not a hand list", () => {
  const cases = exampleCases(spec.document);

  test("every response example of a numeric status is one case, and names are unique", () => {
    const responses = documentedExamples(spec.document).filter(
      (example) => example.status !== "request",
    );
    expect(cases.map((c) => c.covers[0])).toEqual(responses.map(coverageKey));
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  test("names read operationId › status › example", () => {
    expect(cases.map((c) => c.name)).toContain("getContact › 404 › contact_not_found");
  });

  test("an operation added to the spec becomes new cases with no edit here", () => {
    const grown = setAt(spec.document, ["paths", "/notes/{noteId}"], {
      parameters: [
        {
          name: "noteId",
          in: "path",
          required: true,
          schema: { type: "string", format: "uuid" },
          example: "ea8a2a47-2a05-4a43-b284-35df0ea46333",
        },
      ],
      delete: {
        operationId: "deleteNote",
        responses: {
          "204": { description: "Deleted" },
          "403": { $ref: "#/components/responses/Forbidden" },
          "422": { $ref: "#/components/responses/InvalidParams" },
        },
      },
    }) as JsonObject;
    const names = exampleCases(grown).map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "deleteNote › 204 › (no content)",
        "deleteNote › 403 › forbidden",
        "deleteNote › 422 › invalid_params",
      ]),
    );
    const negatives = negativeCases(grown, createValidator(grown)).map((c) => c.name);
    expect(negatives).toEqual(
      expect.arrayContaining([
        "deleteNote › 403 › no API key",
        "deleteNote › 422 › invalid path parameter: noteId is not a valid uuid",
      ]),
    );
  });

  test("a body operation that does not document the catalogue's status of INVALID_INPUT is a clear error, not a guess", () => {
    const without = setAt(
      spec.document,
      ["paths", "/deals", "post", "responses", "422"],
      undefined,
    ) as JsonObject;
    expect(() => negativeCases(without, createValidator(without))).toThrow(
      /createDeal does not document 422, the status the catalogue gives INVALID_INPUT.*document it/,
    );
  });

  test("an operation with `security: []` gets no no-API-key case; one without its own gets the spec's", () => {
    const grown = setAt(spec.document, ["paths", "/hooks/{hookId}"], {
      post: {
        operationId: "openHook",
        security: [],
        parameters: [
          { name: "hookId", in: "path", required: true, schema: { type: "string" }, example: "h" },
        ],
        responses: {
          "200": { description: "ok" },
          "429": { $ref: "#/components/responses/TooManyRequests" },
        },
      },
      get: {
        operationId: "readHook",
        parameters: [
          { name: "hookId", in: "path", required: true, schema: { type: "string" }, example: "h" },
        ],
        responses: {
          "200": { description: "ok" },
          "403": { $ref: "#/components/responses/Forbidden" },
        },
      },
    }) as JsonObject;
    const negatives = negativeCases(grown, createValidator(grown)).map((c) => c.name);
    expect(negatives.filter((name) => name.startsWith("openHook"))).toEqual([]);
    expect(negatives).toContain("readHook › 403 › no API key");
  });

  test("the status each kind expects is the catalogue's: change the catalogue, the cases follow", () => {
    const moved = setAt(
      spec.document,
      ["components", "schemas", "KnownErrorCode", "x-error-catalogue", "INVALID_PARAMS", "status"],
      400,
    ) as JsonObject;
    // Every operation now expects 400 for a bad parameter, which none documents: each is told so.
    expect(() => negativeCases(moved, createValidator(moved))).toThrow(
      /does not document 400, the status the catalogue gives INVALID_PARAMS/,
    );
  });
});

describe("invalid values derived from a schema", () => {
  const table: { given: Json; onWire?: boolean; want: string[] }[] = [
    {
      given: { type: "string", format: "uuid" },
      want: ["id is not string", "id is not a valid uuid"],
    },
    { given: { type: "string", format: "uuid" }, onWire: true, want: ["id is not a valid uuid"] },
    { given: { type: "integer", minimum: 0 }, want: ["id is not integer", "id below minimum 0"] },
    {
      given: { type: "array", items: { type: "string", format: "uuid" }, minItems: 1, maxItems: 2 },
      want: ["id is not array", "id over maxItems 2", "id under minItems 1"],
    },
    {
      given: { type: "string", enum: ["a", "b"] },
      want: ["id is not string", "id not in its enum"],
    },
    { given: { description: "anything goes" }, want: [] },
  ];
  test.for(table)("$want", ({ given, onWire, want }) => {
    expect(valueMutations(given, "id", undefined, onWire).map((m) => m.label)).toEqual(want);
  });

  test("an array over maxItems repeats a valid item", () => {
    const [over] = valueMutations({ type: "array", maxItems: 2 }, "ids", ["x"]).filter((m) =>
      m.label.includes("maxItems"),
    );
    expect(over?.value).toEqual(["x", "x", "x"]);
  });
});

describe("setAt copies deeply and leaves the original alone", () => {
  const original: Json = { a: { b: [1, { c: 2 }] } };
  const table: { path: string[]; value: Json | undefined; want: Json }[] = [
    { path: ["a", "b", "1", "c"], value: 3, want: { a: { b: [1, { c: 3 }] } } },
    { path: ["a", "b"], value: undefined, want: { a: {} } },
    { path: ["x", "y"], value: true, want: { a: { b: [1, { c: 2 }] }, x: { y: true } } },
  ];
  test.for(table)("set $path to $value", ({ path, value, want }) => {
    expect(setAt(original, path, value)).toEqual(want);
    expect(original).toEqual({ a: { b: [1, { c: 2 }] } });
  });
});

describe("live mode is configured from the environment", () => {
  const url = "https://connect.pingback.com/v2";
  const table: { name: string; given: Record<string, string>; want: object | RegExp }[] = [
    { name: "nothing set: mock only", given: {}, want: { enabled: false } },
    {
      name: "both set: on, developer mode by default",
      given: { PINGBACK_BASE_URL: `${url}/`, PINGBACK_API_KEY: "k-1" },
      want: { enabled: true, baseUrl: url, developerMode: true },
    },
    {
      name: "PINGBACK_DEVELOPER_MODE=false turns developer mode off",
      given: { PINGBACK_BASE_URL: url, PINGBACK_API_KEY: "k-1", PINGBACK_DEVELOPER_MODE: "false" },
      want: { enabled: true, developerMode: false },
    },
    {
      name: "key without URL",
      given: { PINGBACK_API_KEY: "k-1" },
      want: /PINGBACK_BASE_URL is empty or unset/,
    },
    {
      name: "URL without key",
      given: { PINGBACK_BASE_URL: url },
      want: /PINGBACK_API_KEY is empty or unset/,
    },
    {
      name: "URL that is not one",
      given: { PINGBACK_BASE_URL: "connect.pingback.com", PINGBACK_API_KEY: "k-1" },
      want: /PINGBACK_BASE_URL is not a URL/,
    },
    {
      name: "developer mode that is not a boolean",
      given: { PINGBACK_BASE_URL: url, PINGBACK_API_KEY: "k-1", PINGBACK_DEVELOPER_MODE: "yes" },
      want: /must be "true" or "false"/,
    },
  ];
  test.for(table)("$name", ({ given, want }) => {
    if (want instanceof RegExp) {
      expect(() => readLiveConfig(given)).toThrow(want);
      expect(() => readLiveConfig(given)).not.toThrow(/k-1/);
    } else {
      expect(readLiveConfig(given)).toMatchObject(want);
    }
  });
});

describe("the coverage gate", () => {
  const documented = [
    { operationId: "op", status: "200", example: "ok" },
    { operationId: "op", status: "404", example: "missing" },
  ];
  const exclude = (example: string, reason = "Prism cannot serve it"): Exclusion => ({
    operationId: "op",
    status: "404",
    example,
    reason,
  });
  const table: {
    name: string;
    exercised: string[];
    exclusions: Exclusion[];
    want: RegExp[];
    percent: number;
  }[] = [
    {
      name: "all exercised",
      exercised: ["op › 200 › ok", "op › 404 › missing"],
      exclusions: [],
      want: [],
      percent: 100,
    },
    {
      name: "one missing",
      exercised: ["op › 200 › ok"],
      exclusions: [],
      want: [/op › 404 › missing was not exercised/],
      percent: 50,
    },
    {
      name: "missing but excluded",
      exercised: ["op › 200 › ok"],
      exclusions: [exclude("missing")],
      want: [],
      percent: 100,
    },
    {
      name: "exclusion no longer needed",
      exercised: ["op › 200 › ok", "op › 404 › missing"],
      exclusions: [exclude("missing")],
      want: [/still listed in exclusions.json/],
      percent: 100,
    },
    {
      name: "exclusion names nothing",
      exercised: ["op › 200 › ok", "op › 404 › missing"],
      exclusions: [exclude("gone")],
      want: [/does not document/],
      percent: 100,
    },
  ];
  test.for(table)("$name", ({ exercised, exclusions, want, percent }) => {
    const report = coverageReport(documented, new Set(exercised), exclusions);
    expect(report.problems).toHaveLength(want.length);
    for (const [index, pattern] of want.entries()) expect(report.problems[index]).toMatch(pattern);
    expect(report.percent).toBe(percent);
  });

  test("an exclusion without a reason is refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "pingback-exclusions-"));
    try {
      const file = join(dir, "exclusions.json");
      writeFileSync(
        file,
        JSON.stringify({
          exclusions: [{ operationId: "op", status: "404", example: "missing", reason: " " }],
        }),
      );
      expect(() => loadExclusions(file)).toThrow(/exclusions\[0\] needs a non-empty "reason"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("logs shown on failure never carry a secret", () => {
  test("a secret split across two chunks is still redacted", () => {
    const log = boundedLog(["s3cret-key"]);
    log.append('{"x-api-key":"s3cr');
    log.append('et-key"}\n');
    expect(log.text()).toBe('{"x-api-key":"[redacted]"}\n');
  });

  test("the log keeps only its newest lines", () => {
    const log = boundedLog([]);
    for (let index = 0; index < 10_000; index++) log.append(`line ${index} ${"-".repeat(20)}\n`);
    expect(log.text().length).toBeLessThanOrEqual(64_000);
    expect(log.text()).toMatch(/line 9999 -+\n$/);
    expect(log.text()).toMatch(/^line \d+ /);
  });

  test("redact ignores empty secrets", () => {
    expect(redact("abc", ["", "b"])).toBe("a[redacted]c");
  });
});
