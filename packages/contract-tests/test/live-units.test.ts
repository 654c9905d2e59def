import { describe, expect, test } from "vitest";
import type { RequestSpec } from "../src/cases.js";
import { conventions, errorCatalogue } from "../src/catalogue.js";
import { fakeServes } from "../src/fake-target.js";
import { type Arrival, rateLimitVerdict } from "../src/live-limit.js";
import { atPointer, evaluate } from "../src/live-links.js";
import { envName, planLive, stored } from "../src/live-plan.js";
import { SELF_TEST_OPERATIONS, selfTestSlice } from "../src/live-slice.js";
import { type Json, type JsonObject, loadSpec, operations } from "../src/spec.js";

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
    ["fieldName", "PINGBACK_LIVE_FIELD_NAME"],
    ["production_email", "PINGBACK_LIVE_PRODUCTION_EMAIL"],
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

describe("the measured limit: each 429 against the documented one (5/s, burst 2, 2 in flight)", () => {
  const limit = { requestsPerSecond: 5, burst: 2, maxInFlight: 2 };
  const sent = (...list: [number, number | null, number][]): Arrival[] =>
    list.map(([sentMs, answeredMs, status]) => ({ sentMs, answeredMs, status }));
  const table: { name: string; arrivals: Arrival[]; jitterMs: number; stricter: boolean }[] = [
    { name: "no 429", arrivals: sent([0, 10, 200], [300, 310, 200]), jitterMs: 0, stricter: false },
    {
      name: "a third request at once, the bucket empty",
      arrivals: sent([0, 1, 200], [0, 1, 200], [0, 1, 429]),
      jitterMs: 0,
      stricter: false,
    },
    {
      name: "two requests still in flight",
      arrivals: sent([0, 500, 200], [300, 800, 200], [400, 401, 429]),
      jitterMs: 0,
      stricter: false,
    },
    {
      name: "a 429 after a quiet second, the bucket full",
      arrivals: sent([0, 10, 200], [1000, 1001, 429]),
      jitterMs: 100,
      stricter: true,
    },
    {
      name: "100 ms apart: one token left as sent, none if the network bunched them by 100 ms",
      arrivals: sent([0, 10, 200], [100, 110, 200], [200, 201, 429]),
      jitterMs: 0,
      stricter: true,
    },
    {
      name: "the same, with 100 ms of jitter allowed",
      arrivals: sent([0, 10, 200], [100, 110, 200], [200, 201, 429]),
      jitterMs: 100,
      stricter: false,
    },
  ];
  test.for(table)("$name", ({ arrivals, jitterMs, stricter }) => {
    const verdict = rateLimitVerdict(arrivals, limit, jitterMs);
    expect(verdict.stricter.length > 0).toBe(stricter);
    expect(verdict.measured).toMatch(/documented: 5\/s, burst 2, 2 in flight/);
  });

  test("the report says where the server started answering 429", () => {
    const verdict = rateLimitVerdict(
      sent([0, 10, 200], [250, 260, 200], [500, 501, 429], [1500, 1510, 200]),
      limit,
      0,
    );
    expect(verdict.measured).toMatch(
      /first 429 at \+0\.50 s, after 2 admitted request\(s\) in the 0\.50 s before it \(4\.0\/s\)/,
    );
    expect(verdict.stricter[0]).toMatch(/answered 429 below the documented limit 1 time\(s\) of 1/);
  });
});

describe("a write read back: what it sent, where the read documents it", () => {
  const document = loadSpec().document;
  const getContact = operations(document).find((op) => op.operationId === "getContact");
  const read = (data: Json) => ({
    status: 200,
    mediaType: "application/json",
    body: { message: "Contact found", data },
    headers: new Headers(),
  });
  const contact = {
    id: "1",
    email: "a@b.co",
    origin: { url: "https://x.test" },
    segmentedListsIds: ["s1", "s2"],
    attributes: { name: "Ann", phone: "1", position: "CTO" },
  };
  const table: { name: string; sent: Json; problems: RegExp[] }[] = [
    {
      name: "a create, all stored",
      sent: { email: "a@b.co", attributes: { name: "Ann" } },
      problems: [],
    },
    {
      name: "an update's free-form keys are the contact's attributes",
      sent: { phone: "1", position: "CTO" },
      problems: [],
    },
    {
      name: "segments added are among the contact's",
      sent: { segmentedListsIds: ["s2"] },
      problems: [],
    },
    {
      name: "an update not applied",
      sent: { position: "CEO" },
      problems: [/data\.attributes\.position is "CTO", w sent "CEO"/],
    },
    {
      name: "a field dropped",
      sent: { origin: { utmSource: "ads" } },
      problems: [/data\.origin\.utmSource is missing, w sent "ads"/],
    },
    {
      name: "a segment not added",
      sent: { segmentedListsIds: ["s3"] },
      problems: [
        /data\.segmentedListsIds is \["s1","s2"\], w sent \["s3"\] \(each item must be there\)/,
      ],
    },
  ];
  test.for(table)("$name", ({ sent, problems }) => {
    if (!getContact) throw new Error("the spec has no getContact");
    const found = stored(document, getContact, "w", sent, read(contact));
    expect(found).toHaveLength(problems.length);
    problems.forEach((pattern, i) => {
      expect(found[i]).toMatch(pattern);
    });
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
    // The rate limit is judged once per run, whatever the number of operations.
    const perOperation = (doc: JsonObject) =>
      planLive(doc, data).cases.filter((c) => c.check !== "rate-limit").length;
    expect(perOperation(grown)).toBeGreaterThanOrEqual(perOperation(document) * 100);
  });
});
