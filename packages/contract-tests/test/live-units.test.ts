import { describe, expect, test } from "vitest";
import type { RequestSpec } from "../src/cases.js";
import { conventions, errorCatalogue } from "../src/catalogue.js";
import { atPointer, evaluate } from "../src/live-links.js";
import { envName, planLive } from "../src/live-plan.js";
import { SELF_TEST_OPERATIONS, selfTestSlice } from "../src/live-slice.js";
import { type Json, type JsonObject, loadSpec, operations } from "../src/spec.js";
import { fakeServes } from "./fake-pingback.js";

const request: RequestSpec = {
  method: "get",
  path: "/contacts/{email}",
  pathParams: { email: "a@b.co" },
  query: { page: 2 },
  headers: { "X-Developer-Mode": "true" },
  body: { email: "a@b.co", list: [{ "a/b": 7 }] },
};
const context = {
  url: "http://127.0.0.1/v2/contacts/a@b.co",
  request,
  response: {
    status: 201,
    headers: new Headers({ "x-request-id": "r-1" }),
    body: { data: { id: "id-1", email: "a@b.co" } },
  },
};

describe("OpenAPI runtime expressions", () => {
  const table: { given: Json; want: Json | undefined }[] = [
    { given: "$response.body#/data/email", want: "a@b.co" },
    { given: "$response.body#/data", want: { id: "id-1", email: "a@b.co" } },
    { given: "$response.body#/data/missing", want: undefined },
    { given: "$response.header.X-Request-Id", want: "r-1" },
    { given: "$request.path.email", want: "a@b.co" },
    { given: "$request.query.page", want: 2 },
    { given: "$request.header.x-developer-mode", want: "true" },
    { given: "$request.body#/list/0/a~1b", want: 7 },
    { given: "$url", want: "http://127.0.0.1/v2/contacts/a@b.co" },
    { given: "$method", want: "GET" },
    { given: "$statusCode", want: 201 },
    { given: "id={$response.body#/data/id}&p={$request.query.page}", want: "id=id-1&p=2" },
    { given: "a constant", want: "a constant" },
    { given: 42, want: 42 },
  ];
  test.for(table)("$given", ({ given, want }) => {
    expect(evaluate(given, context)).toEqual(want);
  });

  test("an expression the suite cannot read is an error naming it", () => {
    expect(() => evaluate("$response.query.page", context)).toThrow(/"\$response.query.page"/);
    expect(() => evaluate("$request.cookie.x", context)).toThrow(
      /not an OpenAPI runtime expression/,
    );
  });

  test("a JSON pointer unescapes ~1 and ~0", () => {
    expect(atPointer({ "a/b": { "c~d": 1 } }, "/a~1b/c~0d")).toBe(1);
  });
});

describe("ids the API cannot create come from PINGBACK_LIVE_<NAME>", () => {
  test.for([
    ["pipelineId", "PINGBACK_LIVE_PIPELINE_ID"],
    ["segmentedListsIds", "PINGBACK_LIVE_SEGMENTED_LISTS_IDS"],
    ["channelUid", "PINGBACK_LIVE_CHANNEL_UID"],
  ])("%s → %s", ([field, name]) => {
    expect(envName(field as string)).toBe(name);
  });
});

describe("the catalogue's conventions", () => {
  const catalogue = new Map([
    ["CONTACT_NOT_FOUND", { status: 404, message: "Contact not found" }],
    ["TOO_MANY_REQUESTS", { status: 429, message: "Too many requests." }],
  ]);
  const table: {
    name: string;
    status: number;
    body: unknown;
    failures: number;
  }[] = [
    {
      name: "a known code with its status",
      status: 404,
      body: { error: "x", requestId: "r", errorCode: "CONTACT_NOT_FOUND" },
      failures: 0,
    },
    {
      name: "a known code with another status",
      status: 400,
      body: { error: "x", requestId: "r", errorCode: "CONTACT_NOT_FOUND" },
      failures: 1,
    },
    {
      name: "an unknown code (the catalogue is open)",
      status: 418,
      body: { error: "x", requestId: "r", errorCode: "NEW_CODE" },
      failures: 0,
    },
    { name: "a success body", status: 200, body: { message: "ok" }, failures: 0 },
  ];
  test.for(table)("$name", ({ status, body, failures }) => {
    expect(conventions(catalogue, status, body)).toHaveLength(failures);
  });

  test("a spec without the catalogue is a clear error, naming where it should be", () => {
    expect(() => errorCatalogue({ openapi: "3.1.0" })).toThrow(
      /no error catalogue at \/components\/schemas\/KnownErrorCode\/x-error-catalogue/,
    );
  });
});

/** The spec grown `factor` times: every path copied under a suffix, operationIds and links renamed. */
function grow(document: JsonObject, factor: number): JsonObject {
  const paths: JsonObject = {};
  const source = document.paths as JsonObject;
  for (let copy = 0; copy < factor; copy++) {
    const suffix = copy === 0 ? "" : `${copy}`;
    for (const [path, item] of Object.entries(source)) {
      const text = JSON.stringify(item).replace(
        /"operationId":"(\w+)"/g,
        (_, id: string) => `"operationId":"${id}${suffix}"`,
      );
      paths[copy === 0 ? path : `/copy${copy}${path}`] = JSON.parse(text) as Json;
    }
  }
  return { ...document, paths };
}

describe("the self-test is bounded independently of the spec's size", () => {
  // Grown from the slice, so this test itself stays bounded when the spec is already large.
  const document = selfTestSlice(loadSpec().document, fakeServes);
  const grown = grow(document, 100);

  test("a spec grown 100× is cut to the same slice as today's", () => {
    expect(operations(grown)).toHaveLength(operations(document).length * 100);
    const slice = selfTestSlice(grown, fakeServes);
    expect(operations(slice).map((op) => op.operationId)).toEqual(
      operations(document)
        .filter(fakeServes)
        .slice(0, SELF_TEST_OPERATIONS)
        .map((op) => op.operationId),
    );
    expect(operations(selfTestSlice(grown)).length).toBe(SELF_TEST_OPERATIONS);
  });

  test("the slice keeps only links between the operations it keeps", () => {
    const slice = selfTestSlice(grown, () => true, 1);
    const kept = operations(slice)[0];
    const text = JSON.stringify(kept?.operation);
    for (const op of operations(grown).slice(1, 20))
      expect(text).not.toContain(`"operationId":"${op.operationId}"`);
  });

  test("planning a live run of the grown spec is one pass: every operation gets its cases", () => {
    const data = { runId: "r", env: {}, developerMode: true };
    const today = planLive(document, data).cases.length;
    expect(planLive(grown, data).cases.length).toBeGreaterThanOrEqual(today * 100);
  });
});
