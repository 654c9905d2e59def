/** Type tests: the typed surface comes from the spec, and mistakes fail to compile. */
import type { Contact, ErrorBody, KnownErrorCode, paths, Segment } from "@pingback/types";
import { describe, expectTypeOf, test } from "vitest";
import {
  createPingbackClient,
  isPingbackError,
  orThrow,
  type PageItem,
  type PaginatedPath,
  type PaginatedPathOf,
  type PingbackClient,
  PingbackError,
} from "../src/index.js";

const client = createPingbackClient({ apiKey: "k" });
const email = { params: { path: { email: "a@b.com" } } };

describe("paths and bodies", () => {
  test("success data and error bodies are typed per operation", async () => {
    const { data, error } = await client.GET("/contacts/{email}", email);
    // `branded`: openapi-fetch maps bodies through `Readable<>`, equal in structure, not in name.
    if (data) expectTypeOf(data.data).branded.toEqualTypeOf<Contact>();
    if (error) expectTypeOf(error).toEqualTypeOf<ErrorBody>();
  });

  test("wrong paths, bodies and params fail to compile", () => {
    // @ts-expect-error: no such path
    void client.GET("/contact");
    // @ts-expect-error: /deals has no GET
    void client.GET("/deals");
    // @ts-expect-error: email is required
    void client.POST("/contacts", { body: {} });
    // @ts-expect-error: the body of a create is required
    void client.POST("/deals", {});
    // @ts-expect-error: the path parameter is required
    void client.GET("/contacts/{email}", { params: { path: {} } });
    // @ts-expect-error: page is a number
    void client.GET("/contacts", { params: { query: { page: "1" } } });
    const notAList = { segmentedListsIds: "x" };
    // @ts-expect-error: segmentedListsIds is a list
    void client.POST("/segments/add-contact/{email}", { ...email, body: notAList });
  });

  test("a client without a key, and the opt-ins, compile", () => {
    expectTypeOf(createPingbackClient({})).toEqualTypeOf<PingbackClient>();
    expectTypeOf(
      createPingbackClient({
        baseUrl: "http://prism:4010/v2",
        dangerouslyAllowHttpHosts: ["prism"],
        dangerouslyAllowBrowser: true,
      }),
    ).toEqualTypeOf<PingbackClient>();
  });

  test("options that are refused at compile time", () => {
    // @ts-expect-error: apiKey is a string
    createPingbackClient({ apiKey: 1 });
    // @ts-expect-error: the http hosts are a list of names
    createPingbackClient({ dangerouslyAllowHttpHosts: "prism" });
    // @ts-expect-error: rateLimit is an object or false
    createPingbackClient({ apiKey: "k", rateLimit: true });
  });
});

describe("a request's own options", () => {
  test("timeoutMs and retry are typed on every method, and nothing else is accepted", async () => {
    void client.GET("/contacts", { timeoutMs: 500, retry: { retries: 1 } });
    void client.POST("/contacts", { body: { email: "a@b.com" }, timeoutMs: 500, retry: false });
    void client.request("get", "/contacts/{email}", { ...email, timeoutMs: 500 });
    void client.paginate("/contacts", { timeoutMs: 500, retry: { retries: 1 } });
    // @ts-expect-error: the option is `timeoutMs`
    void client.GET("/contacts", { timeout: 500 });
    // @ts-expect-error: the option is `timeoutMs`
    void client.POST("/contacts", { body: { email: "a@b.com" }, timeout: 500 });
    // @ts-expect-error: the option is `timeoutMs`
    void client.request("get", "/contacts", { timeout: 500 });
    // @ts-expect-error: the option is `timeoutMs`
    void client.paginate("/contacts", { timeout: 500 });
    // @ts-expect-error: a number of milliseconds, not a string
    void client.GET("/contacts", { timeoutMs: "1000" });
    void client.PUT("/contacts/{email}", { ...email, body: {}, retry: { retries: 2 } });
    // @ts-expect-error: retries is a number
    void client.PUT("/contacts/{email}", { ...email, body: {}, retry: { retries: "2" } });
  });

  test("openapi-fetch's own options keep their types", async () => {
    const { data } = await client.GET("/contacts/{email}", { ...email, parseAs: "text" });
    if (data !== undefined) expectTypeOf(data).toEqualTypeOf<string>();
    void client.GET("/contacts", { signal: AbortSignal.timeout(1), headers: { "x-trace": "1" } });
    // @ts-expect-error: not a way to parse
    void client.GET("/contacts", { parseAs: "xml" });
  });
});

describe("throwing style", () => {
  test("orThrow returns the success body", async () => {
    const body = await client.GET("/contacts/{email}", email).then(orThrow);
    expectTypeOf(body.data).branded.toEqualTypeOf<Contact>();
    const created = orThrow(await client.POST("/contacts", { body: { email: "a@b.com" } }));
    expectTypeOf(created.data.id).toEqualTypeOf<string>();
  });

  test("errorCode narrows to known codes, and accepts unknown ones", () => {
    const error = new PingbackError({ status: 404, body: {} });
    expectTypeOf<KnownErrorCode>().toExtend<NonNullable<typeof error.errorCode>>();
    expectTypeOf<"A_CODE_FROM_TOMORROW">().toExtend<NonNullable<typeof error.errorCode>>();
    // `===` keeps the open string in the type (an unknown code could be equal too);
    // isPingbackError(e, code) narrows to the literal.
    if (error.errorCode === "CONTACT_NOT_FOUND") {
      expectTypeOf<"CONTACT_NOT_FOUND">().toExtend<typeof error.errorCode>();
    }
    const caught: unknown = error;
    if (isPingbackError(caught, "FORBIDDEN")) {
      expectTypeOf(caught.errorCode).toEqualTypeOf<"FORBIDDEN" | undefined>();
    }
    // @ts-expect-error: not a code of the spec (compare `error.errorCode` for a code it lacks)
    isPingbackError(caught, "CONTACT_NOT_FOUNDD");
    if (isPingbackError(caught)) expectTypeOf(caught.errorCode).toExtend<string | undefined>();
  });
});

describe("pagination", () => {
  test("the paginated paths are computed from the spec", () => {
    expectTypeOf<"/contacts" | "/segments">().toExtend<PaginatedPath>();
    // Paths without a `page` query or without a page body are not lists.
    expectTypeOf<"/contacts/{email}">().not.toExtend<PaginatedPath>();
    expectTypeOf<"/deals">().not.toExtend<PaginatedPath>();
    expectTypeOf<"/segments/add-contact/{email}">().not.toExtend<PaginatedPath>();
    expectTypeOf<PageItem<"/contacts">>().toEqualTypeOf<Contact>();
    expectTypeOf<PageItem<"/segments">>().toEqualTypeOf<Segment>();
  });

  test("a new list operation in the spec qualifies with no edit here", () => {
    type Note = { id: string; text: string };
    type WithNotes = paths & {
      "/notes": {
        get: {
          parameters: { query?: { page?: number } };
          responses: {
            200: {
              content: {
                "application/json": {
                  message: string;
                  data: { page: number; total: number; data: Note[] };
                };
              };
            };
          };
        };
      };
      "/notes/{id}": {
        get: {
          parameters: { path: { id: string } };
          responses: { 200: { content: { "application/json": { data: Note } } } };
        };
      };
    };
    // Exactly the spec's lists plus the new one, whatever lists the spec holds today.
    expectTypeOf<PaginatedPathOf<WithNotes>>().toEqualTypeOf<PaginatedPath | "/notes">();
    expectTypeOf<"/notes/{id}">().not.toExtend<PaginatedPathOf<WithNotes>>();
  });

  test("items are typed, and only paginated paths are accepted", () => {
    expectTypeOf(client.paginate("/contacts")).toEqualTypeOf<
      AsyncGenerator<Contact, void, undefined>
    >();
    // @ts-expect-error: /contacts/{email} is not a list
    client.paginate("/contacts/{email}");
    // A page to start from (to resume) is a number.
    client.paginate("/contacts", { params: { query: { page: 2 } }, allowIncomplete: true });
    // @ts-expect-error: the page is a number
    client.paginate("/contacts", { params: { query: { page: "2" } } });
  });
});
