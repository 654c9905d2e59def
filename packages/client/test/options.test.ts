/** Construction: the key, the base URL, the headers every request carries, and what overrides them. */
import { describe, expect, test } from "vitest";
import {
  createLocalRateLimitStore,
  createPingbackClient,
  DEFAULT_BASE_URL,
  type RateLimitStore,
} from "../src/index.js";
import { ok, stubFetch } from "./support/stub.js";

const apiKey = "sk_live_options_secret";
const localStore = createLocalRateLimitStore();

describe("apiKey", () => {
  test.each([
    { given: "", want: /`apiKey` is empty: pass your Pingback API key \(or no `apiKey` at all\)/ },
    { given: "   ", want: /`apiKey` is empty/ },
    {
      given: 42,
      want: /^createPingbackClient: `apiKey` must be a string \(your Pingback API key\), got number\.$/,
    },
    { given: null, want: /`apiKey` must be a string \(your Pingback API key\), got object/ },
    { given: " sk_padded", want: /has spaces, line breaks or non-ASCII/ },
    { given: "sk_a\nx-evil: 1", want: /has spaces, line breaks or non-ASCII/ },
  ])("$given is refused at construction", ({ given, want }) => {
    expect(() => createPingbackClient({ apiKey: given as string })).toThrow(want);
  });

  test("left out, it makes a client of the keyless operations; the others refuse before sending", async () => {
    const stub = stubFetch(ok());
    const client = createPingbackClient({ fetch: stub.fetch });
    await expect(client.GET("/contacts")).rejects.toThrow(
      "createPingbackClient: `apiKey` is needed by GET /contacts: this client was created without one.",
    );
    expect(stub.requests).toHaveLength(0);
  });

  test("a refused key is never echoed in the message", () => {
    expect(() => createPingbackClient({ apiKey: "sk_secret value" })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("sk_secret") }),
    );
  });

  test("no options at all is a clear error", () => {
    expect(() => createPingbackClient(undefined as never)).toThrow(/pass an options object/);
  });
});

describe("baseUrl", () => {
  test.each([
    { given: "https://connect.pingback.com/v2", want: "ok" },
    { given: "https://eu.example.com/pingback/", want: "ok" },
    { given: "http://127.0.0.1:4010", want: "ok" },
    { given: "http://127.1.2.3:4010/v2", want: "ok" },
    { given: "http://localhost:4010", want: "ok" },
    { given: "http://[::1]:4010", want: "ok" },
    {
      given: "http://connect.pingback.com/v2",
      want: /must use https:\/\/.*clear text.*http:\/\/ is only for localhost/,
    },
    { given: "http://127.0.0.1.nip.io/v2", want: /must use https:\/\// },
    { given: "http://localhost.evil.com", want: /must use https:\/\// },
    { given: "ftp://connect.pingback.com", want: /must use https:\/\// },
    { given: "connect.pingback.com/v2", want: /not an absolute URL/ },
    { given: "https://user:pw@connect.pingback.com", want: /must not hold credentials/ },
    {
      given: "http://prism:4010",
      want: /http:\/\/ is only for .* and `dangerouslyAllowHttpHosts`/,
    },
  ])("$given → $want", ({ given, want }) => {
    const create = () => createPingbackClient({ apiKey, baseUrl: given });
    if (want === "ok") expect(create).not.toThrow();
    else expect(create).toThrow(want);
  });

  test("a URL object is accepted, and checked like a string", async () => {
    const stub = stubFetch(ok());
    const client = createPingbackClient({
      apiKey,
      baseUrl: new URL("http://127.0.0.1:4010/v2"),
      fetch: stub.fetch,
    });
    await client.GET("/contacts");
    expect(stub.requests[0]?.url).toBe("http://127.0.0.1:4010/v2/contacts");
    expect(() => createPingbackClient({ apiKey, baseUrl: new URL("http://example.com") })).toThrow(
      /must use https:\/\//,
    );
  });

  test("defaults to the production API", async () => {
    const stub = stubFetch(ok());
    const client = createPingbackClient({ apiKey, fetch: stub.fetch });
    await client.GET("/contacts");
    expect(DEFAULT_BASE_URL).toBe("https://connect.pingback.com/v2");
    expect(stub.requests[0]?.url).toBe("https://connect.pingback.com/v2/contacts");
  });
});

describe("options that must be numbers", () => {
  test.each([
    { given: { timeoutMs: 0 }, want: /`timeoutMs` must be a finite number > 0, got 0/ },
    { given: { timeoutMs: Number.NaN }, want: /`timeoutMs` must be a finite number > 0, got NaN/ },
    {
      given: { timeoutMs: "5000" },
      want: /`timeoutMs` must be a finite number > 0, got the string "5000"\./,
    },
    {
      given: { retry: 2 },
      want: /`retry` must be an object like \{ retries: 2 \}, or false, got 2/,
    },
    {
      given: { retry: { retries: -1 } },
      want: /`retry.retries` must be a whole number ≥ 0, got -1/,
    },
    { given: { retry: { retries: 1.5 } }, want: /`retry.retries`/ },
    { given: { rateLimit: { requestsPerSecond: 0 } }, want: /`rateLimit.requestsPerSecond`/ },
    { given: { rateLimit: { maxInFlight: -2 } }, want: /`rateLimit.maxInFlight`/ },
    { given: { rateLimit: { maxInFlight: 1.5 } }, want: /`rateLimit.maxInFlight` must be a whole/ },
    {
      given: { rateLimit: { reserve: -1 } },
      want: /`rateLimit.reserve` must be a finite number ≥ 0/,
    },
    {
      given: { rateLimit: { reserve: 2 } },
      want: /`rateLimit.reserve` must leave a whole token of `burst` \(at most 1\), got 2/,
    },
    {
      given: { rateLimit: { store: {} as RateLimitStore } },
      want: /`rateLimit.store` must have `acquire\(signal\)` and `throttled\(retryAfterMs\)`/,
    },
    {
      given: { rateLimit: { store: localStore, requestsPerSecond: 10 } },
      want: /`rateLimit.store` decides the limits: set requestsPerSecond on the store/,
    },
  ])("$given is refused", ({ given, want }) => {
    expect(() => createPingbackClient({ apiKey, ...(given as object) })).toThrow(want);
  });
});

describe("options given as undefined (exactOptionalPropertyTypes)", () => {
  test("leave the defaults in place", async () => {
    const stub = stubFetch(new Response(null, { status: 503 }));
    const client = createPingbackClient({
      apiKey,
      baseUrl: undefined,
      fetch: stub.fetch,
      timeoutMs: undefined,
      retry: { retries: 1, baseDelayMs: 1, maxDelayMs: undefined },
      rateLimit: undefined,
    });
    await client.GET("/contacts");
    expect(stub.requests.map((r) => r.url)).toEqual([
      "https://connect.pingback.com/v2/contacts",
      "https://connect.pingback.com/v2/contacts",
    ]);
  });
});

describe("a request's own timeoutMs and retry", () => {
  test.each([
    {
      given: { timeoutMs: "1000" },
      want: 'GET /contacts: `timeoutMs` must be a finite number > 0, got the string "1000".',
    },
    {
      given: { timeoutMs: Number.NaN },
      want: "GET /contacts: `timeoutMs` must be a finite number > 0, got NaN.",
    },
    {
      given: { retry: { retries: "3" } },
      want: 'GET /contacts: `retry.retries` must be a whole number ≥ 0, got the string "3".',
    },
  ])("$given is refused before anything is sent", async ({ given, want }) => {
    const stub = stubFetch(ok());
    const client = createPingbackClient({ apiKey, fetch: stub.fetch });
    await expect(client.GET("/contacts", given as object)).rejects.toThrow(want);
    expect(stub.requests).toHaveLength(0);
  });
});

describe("headers", () => {
  test("every request carries the key, and JSON bodies their content type", async () => {
    const stub = stubFetch(ok());
    const client = createPingbackClient({ apiKey, fetch: stub.fetch });
    await client.POST("/contacts", { body: { email: "a@b.com" } });
    const headers = stub.requests[0]?.headers;
    expect(headers?.get("x-api-key")).toBe(apiKey);
    expect(headers?.get("content-type")).toBe("application/json");
    expect(headers?.has("x-developer-mode")).toBe(false);
  });

  test("developerMode: true sends x-developer-mode: true on every request", async () => {
    const stub = stubFetch(ok());
    const client = createPingbackClient({ apiKey, fetch: stub.fetch, developerMode: true });
    await client.GET("/contacts");
    await client.POST("/contacts", { body: { email: "a@b.com" } });
    expect(stub.requests.map((r) => r.headers.get("x-developer-mode"))).toEqual(["true", "true"]);
  });

  test("extra headers are sent; a request's own headers and params override them", async () => {
    const stub = stubFetch(ok());
    const client = createPingbackClient({
      apiKey,
      fetch: stub.fetch,
      developerMode: true,
      headers: { "x-trace": "client", "x-api-key": "ignored: apiKey wins" },
    });
    await client.GET("/contacts");
    await client.GET("/contacts", {
      headers: { "x-trace": "request", "x-api-key": "sk_other_tenant" },
      params: { header: { "x-developer-mode": false } },
    });
    const [first, second] = stub.requests.map((r) => Object.fromEntries(r.headers));
    expect(first).toMatchObject({ "x-trace": "client", "x-api-key": apiKey });
    expect(second).toMatchObject({
      "x-trace": "request",
      "x-api-key": "sk_other_tenant",
      "x-developer-mode": "false",
    });
  });

  test("a request's own fetch and baseUrl override the client's", async () => {
    const clientStub = stubFetch(ok());
    const requestStub = stubFetch(ok());
    const client = createPingbackClient({ apiKey, fetch: clientStub.fetch });
    await client.GET("/contacts", {
      baseUrl: "http://127.0.0.1:4010",
      fetch: requestStub.fetch,
    });
    expect(clientStub.requests).toHaveLength(0);
    expect(requestStub.requests[0]?.url).toBe("http://127.0.0.1:4010/contacts");
  });
});
