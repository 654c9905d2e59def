import { createPingbackClient, type PingbackClient } from "@pingback/client";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  createFakePingback,
  type FakePingback,
  type FakePingbackOptions,
  REASON_HEADER,
  sequentialIds,
} from "../src/index.js";
import { checkedFetch } from "./documented.js";

const SEGMENT = "5e0e0000-0000-4000-8000-000000000001";
const OTHER_SEGMENT = "5e0e0000-0000-4000-8000-000000000002";
const PIPELINE = "91be0000-0000-4000-8000-000000000001";
const STAGE = "57a90000-0000-4000-8000-000000000001";
const LATER_STAGE = "57a90000-0000-4000-8000-000000000002";
const MISSING = "00000000-0000-4000-8000-0000000fffff";

let problems: string[];
let fake: FakePingback;
let client: PingbackClient;
let production: PingbackClient;

function start(options: FakePingbackOptions = {}) {
  fake = createFakePingback({
    rateLimit: false,
    seed: {
      segments: [
        { id: SEGMENT, name: "Newsletter" },
        { id: OTHER_SEGMENT, name: "Customers" },
      ],
      pipelines: [
        {
          id: PIPELINE,
          name: "Sales",
          stages: [
            { id: STAGE, name: "Lead" },
            { id: LATER_STAGE, name: "Won" },
          ],
        },
      ],
    },
    ...options,
  });
  const fetch = checkedFetch(fake, problems);
  const common = { apiKey: fake.apiKey, fetch, rateLimit: false, retry: false } as const;
  client = createPingbackClient({ ...common, developerMode: true });
  production = createPingbackClient(common);
}

beforeEach(() => {
  problems = [];
  start();
});
// Every answer of every test below is one the spec documents, by the contract tests' ajv validator.
afterEach(() => expect(problems).toEqual([]));

const create = (email: string, on = client) =>
  on.POST("/contacts", { body: { email, attributes: { name: "Ada" } } });
const read = (email: string, on = client) =>
  on.GET("/contacts/{email}", { params: { path: { email } } });

describe("contacts", () => {
  test("a created contact is read back, with the fields the create gave it", async () => {
    const created = await create("ada@example.com");
    expect(created.response.status).toBe(201);
    expect(created.data).toMatchObject({
      message: "Contact created",
      data: { email: "ada@example.com" },
    });
    const found = await read("ada@example.com");
    expect(found.data?.data).toMatchObject({
      id: created.data?.data.id,
      email: "ada@example.com",
      status: "active",
      source: "PublicApi",
      origin: null,
      segmentedListsIds: [],
      attributes: { name: "Ada" },
    });
  });

  test("a second contact with the same email, in any case, is 409 CONTACT_ALREADY_EXISTS", async () => {
    await create("ada@example.com");
    const again = await create("ADA@Example.com");
    expect(again.response.status).toBe(409);
    expect(again.error).toMatchObject({
      errorCode: "CONTACT_ALREADY_EXISTS",
      error: "A contact with this email address already exists.",
    });
    expect((await read("Ada@EXAMPLE.com")).response.status).toBe(200);
  });

  test("an unknown contact is 404 CONTACT_NOT_FOUND, with a requestId", async () => {
    const { response, error } = await read("nobody@example.com");
    expect(response.status).toBe(404);
    expect(error).toMatchObject({ errorCode: "CONTACT_NOT_FOUND", error: "Contact not found" });
    expect(error?.requestId).toEqual(expect.any(String));
  });

  test("an update changes what a later read returns", async () => {
    await create("ada@example.com");
    const updated = await client.PUT("/contacts/{email}", {
      params: { path: { email: "ada@example.com" } },
      body: { phone: "+5531999999999", name: "Ada Lovelace" },
    });
    expect(updated.response.status).toBe(200);
    expect((await read("ada@example.com")).data?.data.attributes).toEqual({
      name: "Ada Lovelace",
      phone: "+5531999999999",
    });
  });

  test("production and developer-mode data are apart", async () => {
    await create("dev@example.com");
    expect((await read("dev@example.com", production)).response.status).toBe(404);
    await create("prod@example.com", production);
    expect((await read("prod@example.com")).response.status).toBe(404);
    expect(fake.state().developer.contacts.map((c) => c.email)).toEqual(["dev@example.com"]);
    expect(fake.state().production.contacts.map((c) => c.email)).toEqual(["prod@example.com"]);
  });

  test("lists are paged 10 at a time (the spec's maxItems), with a true total, and empty past the end", async () => {
    for (let i = 0; i < 23; i++) await create(`c${i}@example.com`);
    const pages = await Promise.all(
      [0, 1, 2, 3].map((page) => client.GET("/contacts", { params: { query: { page } } })),
    );
    expect(pages.map((p) => p.data?.data.data.length)).toEqual([10, 10, 3, 0]);
    expect(pages.map((p) => p.data?.data.total)).toEqual([23, 23, 23, 23]);
    expect(pages.map((p) => p.data?.data.page)).toEqual([0, 1, 2, 3]);
    expect(pages[1]?.data?.data.data[0]?.email).toBe("c10@example.com");
  });
});

describe("segments and deals check the ids they are given", () => {
  test("adding a contact to segments shows in its read and in the fake's state", async () => {
    await create("ada@example.com");
    const added = await client.POST("/segments/add-contact/{email}", {
      params: { path: { email: "ada@example.com" } },
      body: { segmentedListsIds: [SEGMENT] },
    });
    expect(added.data).toEqual({ message: "Contact added to segments" });
    expect((await read("ada@example.com")).data?.data.segmentedListsIds).toEqual([SEGMENT]);
    expect(fake.state().developer.contacts[0]?.segmentedListsIds).toEqual([SEGMENT]);
  });

  test("an unknown segment is 404 SEGMENTATION_LIST_NOT_FOUND, and nothing is added", async () => {
    await create("ada@example.com");
    const added = await client.POST("/segments/add-contact/{email}", {
      params: { path: { email: "ada@example.com" } },
      body: { segmentedListsIds: [SEGMENT, MISSING] },
    });
    expect(added.response.status).toBe(404);
    expect(added.error?.errorCode).toBe("SEGMENTATION_LIST_NOT_FOUND");
    expect(fake.state().developer.contacts[0]?.segmentedListsIds).toEqual([]);
  });

  test("the segments list shows the seeded segments", async () => {
    const { data } = await client.GET("/segments");
    expect(data?.data).toEqual({
      page: 0,
      total: 2,
      data: [
        { id: SEGMENT, name: "Newsletter" },
        { id: OTHER_SEGMENT, name: "Customers" },
      ],
    });
  });

  test("a deal needs a known contact, pipeline and stage of that pipeline, and one deal per contact", async () => {
    const contactId = (await create("ada@example.com")).data?.data.id as string;
    const deal = (body: { contactId: string; pipelineId: string; stageId: string }) =>
      client.POST("/deals", { body });
    const codes = async (body: Parameters<typeof deal>[0]) => {
      const { response, error } = await deal(body);
      return `${response.status} ${error?.errorCode ?? ""}`.trim();
    };
    expect(await codes({ contactId: MISSING, pipelineId: PIPELINE, stageId: STAGE })).toBe(
      "404 CONTACT_NOT_FOUND",
    );
    expect(await codes({ contactId, pipelineId: MISSING, stageId: STAGE })).toBe(
      "404 PIPELINE_NOT_FOUND",
    );
    expect(await codes({ contactId, pipelineId: PIPELINE, stageId: MISSING })).toBe(
      "404 STAGE_NOT_FOUND",
    );
    const created = await deal({ contactId, pipelineId: PIPELINE, stageId: STAGE });
    expect(created.response.status).toBe(201);
    expect(created.data?.data).toMatchObject({ contactId, email: "ada@example.com" });
    expect(await codes({ contactId, pipelineId: PIPELINE, stageId: STAGE })).toBe(
      "409 CONTACT_ASSOCIATED_WITH_A_DEAL",
    );
    const dealId = created.data?.data.id as string;
    const moved = await client.PUT("/deals/{dealId}", {
      params: { path: { dealId } },
      body: { stageId: LATER_STAGE, attributes: { pb_amount: "1000" } },
    });
    expect(moved.data).toEqual({ message: "Deal updated", data: { id: dealId } });
    expect(fake.state().developer.deals).toEqual([
      expect.objectContaining({
        id: dealId,
        stageId: LATER_STAGE,
        attributes: { pb_amount: "1000" },
      }),
    ]);
    const unknown = await client.PUT("/deals/{dealId}", {
      params: { path: { dealId: MISSING } },
      body: { stageId: STAGE },
    });
    expect(unknown.error?.errorCode).toBe("DEAL_NOT_FOUND");
  });
});

describe("the checks the spec describes", () => {
  test("no key, or a wrong one, is 403 FORBIDDEN; the webhook intake takes no key", async () => {
    const wrong = createPingbackClient({
      apiKey: "not-the-key",
      fetch: checkedFetch(fake, problems),
      retry: false,
      rateLimit: false,
    });
    const { response, error } = await wrong.GET("/contacts");
    expect(response.status).toBe(403);
    expect(error?.errorCode).toBe("FORBIDDEN");
    expect(response.headers.get(REASON_HEADER)).toBe("x-api-key is not the fake's key");
    fake.seed({ customFields: [{ name: "plan" }] });
    const intake = await fake.fetch(
      new Request("https://connect.pingback.com/v2/webhook/wh-1/c/ch-1/w/wf-1", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          email: "lead@example.com",
          customFields: [{ fieldName: "plan", fieldValue: "pro" }],
        }),
      }),
    );
    expect(intake.status).toBe(200);
    expect(fake.state().leads).toEqual([
      expect.objectContaining({
        webhookId: "wh-1",
        channelUid: "ch-1",
        workflowId: "wf-1",
        body: {
          email: "lead@example.com",
          customFields: [{ fieldName: "plan", fieldValue: "pro" }],
        },
      }),
    ]);
    const unknownField = await fake.fetch(
      new Request("https://connect.pingback.com/v2/webhook/wh-1/c/ch-1/w/wf-1", {
        method: "POST",
        body: JSON.stringify({
          email: "lead@example.com",
          customFields: [{ fieldName: "shoe-size", fieldValue: "44" }],
        }),
      }),
    );
    expect(unknownField.status).toBe(422);
    expect(unknownField.headers.get(REASON_HEADER)).toBe(
      'customFields: "shoe-size" is not a custom field of the account (seed it under customFields)',
    );
  });

  test("a missing body is 400 MISSING_BODY", async () => {
    const response = await fake.fetch(
      new Request("https://connect.pingback.com/v2/contacts", {
        method: "POST",
        headers: { "x-api-key": fake.apiKey },
      }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errorCode: "MISSING_BODY",
      error: "Body is necessary.",
    });
  });

  test("an invalid path parameter is 422 INVALID_PARAMS with the operation's published message", async () => {
    const { response, error } = await read("not-an-email");
    expect(response.status).toBe(422);
    expect(error).toMatchObject({
      errorCode: "INVALID_PARAMS",
      error: "CONTACT_EMAIL_IS_NECESSARY",
    });
    expect(response.headers.get(REASON_HEADER)).toBe(
      'path parameter email must be a valid email (format "email")',
    );
    const deal = await client.PUT("/deals/{dealId}", {
      params: { path: { dealId: "not-a-uuid" } },
      body: {},
    });
    expect(deal.error).toMatchObject({
      errorCode: "INVALID_PARAMS",
      error: "DEAL_ID_IS_NECESSARY",
    });
  });

  test("an invalid query parameter is 422 INVALID_PARAMS", async () => {
    const response = await fake.fetch(
      new Request("https://connect.pingback.com/v2/contacts?page=-1", {
        headers: { "x-api-key": fake.apiKey },
      }),
    );
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ errorCode: "INVALID_PARAMS" });
    expect(response.headers.get(REASON_HEADER)).toBe("query parameter page must be >= 0");
  });

  test("an invalid body is 422 INVALID_INPUT, and the reason names the field and the rule", async () => {
    const checks: [unknown, string][] = [
      [{ attributes: {} }, "body.email is required"],
      [{ email: "not-an-email" }, 'body.email must be a valid email (format "email")'],
      [{ email: 42 }, "body.email must be string"],
    ];
    for (const [body, reason] of checks) {
      const response = await fake.fetch(
        new Request("https://connect.pingback.com/v2/contacts", {
          method: "POST",
          headers: { "x-api-key": fake.apiKey, "content-type": "application/json" },
          body: JSON.stringify(body),
        }),
      );
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({
        errorCode: "INVALID_INPUT",
        error: "Invalid JSON body",
      });
      expect(response.headers.get(REASON_HEADER)).toBe(reason);
    }
    const notJson = await fake.fetch(
      new Request("https://connect.pingback.com/v2/contacts", {
        method: "POST",
        headers: { "x-api-key": fake.apiKey },
        body: "{not json",
      }),
    );
    expect(notJson.status).toBe(422);
  });
});

describe("determinism, seeding, inspection, reset", () => {
  test("ids and timestamps come from the injected sources", async () => {
    start({ ids: sequentialIds(), now: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
    const created = await create("ada@example.com");
    // The seed names its own ids, so the contact's is the source's first.
    expect(created.data?.data.id).toBe("00000000-0000-4000-8000-000000000001");
    expect((await read("ada@example.com")).data?.data.createdAt).toBe("2026-01-02T03:04:05.000Z");
  });

  test("seeded contacts exist in both modes unless a mode is named, with their segments", async () => {
    fake.seed({
      contacts: [
        { email: "both@example.com", segmentedListsIds: [SEGMENT] },
        { email: "dev-only@example.com", developerMode: true },
      ],
    });
    expect((await read("both@example.com", production)).data?.data.segmentedListsIds).toEqual([
      SEGMENT,
    ]);
    expect((await read("both@example.com")).response.status).toBe(200);
    expect((await read("dev-only@example.com", production)).response.status).toBe(404);
    expect((await create("both@example.com")).response.status).toBe(409);
  });

  test("a bad seed is refused, naming the field and how to fix it", () => {
    expect(() => fake.seed({ contacts: [{ email: "nope" }] })).toThrow(
      'seed.contacts[0].email must be an email address, got "nope"',
    );
    expect(() => fake.seed({ segments: [{ id: "s-1", name: "x" }] })).toThrow(
      'seed.segments[0].id must be a uuid (the API\'s ids are), got "s-1"',
    );
    expect(() =>
      fake.seed({ contacts: [{ email: "a@example.com", segmentedListsIds: [MISSING] }] }),
    ).toThrow(/not a seeded segment: seed it under segments first/);
  });

  test("requests are recorded with the key redacted, and the state is a copy", async () => {
    await create("ada@example.com");
    const [request] = fake.requests;
    expect(request).toMatchObject({
      method: "POST",
      path: "/contacts",
      operationId: "createContact",
      apiKey: "valid",
      developerMode: true,
      body: { email: "ada@example.com", attributes: { name: "Ada" } },
      status: 201,
    });
    expect(request?.headers["x-api-key"]).toBe("[redacted]");
    expect(JSON.stringify(fake.requests)).not.toContain(fake.apiKey);
    fake.state().developer.contacts.pop();
    expect(fake.state().developer.contacts).toHaveLength(1);
  });

  test("reset goes back to the seed: state, requests and faults", async () => {
    await create("ada@example.com");
    fake.fault("rate-limit-storm");
    fake.reset();
    expect(fake.requests).toEqual([]);
    expect(fake.state().developer.contacts).toEqual([]);
    expect(fake.state().segments).toHaveLength(2);
    expect((await create("ada@example.com")).response.status).toBe(201);
  });
});

describe("the rate limit", () => {
  test("is on by default: the documented 5/s, burst 2, counted on arrival", async () => {
    start({ rateLimit: undefined });
    const statuses = await Promise.all(
      [0, 1, 2].map(async (i) => (await create(`c${i}@example.com`)).response.status),
    );
    expect(statuses.sort()).toEqual([201, 201, 429]);
    expect(fake.requests.find((r) => r.status === 429)?.reason).toBe("over the rate limit");
  });

  test("can be scaled for fast tests", async () => {
    start({ rateLimit: { requestsPerSecond: 1000, burst: 50, maxInFlight: 50 } });
    const statuses = await Promise.all(
      Array.from(
        { length: 30 },
        async (_, i) => (await create(`c${i}@example.com`)).response.status,
      ),
    );
    expect(new Set(statuses)).toEqual(new Set([201]));
  });

  test("a bad limit is refused with the way out", () => {
    expect(() => createFakePingback({ rateLimit: { requestsPerSecond: 0 } })).toThrow(
      "rateLimit.requestsPerSecond must be a number above 0, got 0. Pass rateLimit: false to turn the limit off.",
    );
  });
});
