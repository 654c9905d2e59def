import { createPingbackClient, isPingbackError, orThrow } from "@pingback/client";
import { describe, expect, test } from "vitest";
import { ALLOWED, BREACHES, createFakePingback, INCIDENTS } from "../src/index.js";
import { undocumented } from "./documented.js";

const contactRequest = (fake: { apiKey: string }) =>
  new Request("https://connect.pingback.com/v2/contacts/ada@example.com", {
    headers: { "x-api-key": fake.apiKey },
  });

describe("named faults: what a test cannot provoke on the real API", () => {
  test("rate-limit-storm: 429 TOO_MANY_REQUESTS for `times` requests, then normal answers; the client retries through it", async () => {
    const fake = createFakePingback({ rateLimit: false });
    fake.fault("rate-limit-storm", { times: 2 });
    const client = createPingbackClient({
      apiKey: fake.apiKey,
      fetch: fake.fetch,
      rateLimit: false,
      retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const { response } = await client.GET("/contacts");
    expect(response.status).toBe(200);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 429, 200]);
    fake.fault("rate-limit-storm");
    const stormed = await fake.fetch(contactRequest(fake));
    expect(await undocumented("getContact", stormed)).toEqual([]);
    expect(await stormed.json()).toMatchObject({ errorCode: "TOO_MANY_REQUESTS" });
  });

  test("5xx-then-ok: each request is answered 500 `times` times, then served", async () => {
    const fake = createFakePingback({ rateLimit: false });
    fake.fault("5xx-then-ok", { times: 2, operationId: "listContacts" });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const response = await fake.fetch(
        new Request("https://connect.pingback.com/v2/contacts", {
          headers: { "x-api-key": fake.apiKey },
        }),
      );
      statuses.push(response.status);
      expect(await undocumented("listContacts", response)).toEqual([]);
    }
    expect(statuses).toEqual([500, 500, 200]);
    expect((await fake.fetch(contactRequest(fake))).status).toBe(404);
  });

  test("slow: the answer is held back by delayMs, so a client's timeout fires", async () => {
    const fake = createFakePingback({ rateLimit: false });
    fake.fault("slow", { delayMs: 300 });
    const client = createPingbackClient({
      apiKey: fake.apiKey,
      fetch: fake.fetch,
      rateLimit: false,
      retry: false,
      timeoutMs: 50,
    });
    const error = await client.GET("/contacts").catch((e: unknown) => e);
    expect((error as Error).name).toBe("PingbackTimeoutError");
  });

  test("html-502: a proxy's HTML page, which the client reports as a non-JSON 502", async () => {
    const fake = createFakePingback({ rateLimit: false });
    fake.fault("html-502", { times: 1 });
    const response = await fake.fetch(contactRequest(fake));
    expect(response.status).toBe(502);
    expect(response.headers.get("content-type")).toBe("text/html");
    expect(await response.text()).toContain("502 Bad Gateway");
    expect((await fake.fetch(contactRequest(fake))).status).toBe(404);
  });

  test("connection-reset: fetch rejects as undici does on ECONNRESET, and nothing is answered", async () => {
    const fake = createFakePingback({ rateLimit: false });
    fake.fault("connection-reset", { times: 1 });
    const error = await fake.fetch(contactRequest(fake)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).cause).toMatchObject({ code: "ECONNRESET" });
    expect(fake.requests[0]?.status).toBe(0);
  });

  test("bare-error: error bodies come without requestId (the client still types them)", async () => {
    const fake = createFakePingback({ rateLimit: false, faults: ["bare-error"] });
    const client = createPingbackClient({
      apiKey: fake.apiKey,
      fetch: fake.fetch,
      rateLimit: false,
    });
    const error = await client
      .GET("/contacts/{email}", { params: { path: { email: "ada@example.com" } } })
      .then((r) => r.error);
    expect(error).toEqual({ error: "Contact not found", errorCode: "CONTACT_NOT_FOUND" });
    const thrown = await client
      .GET("/contacts/{email}", { params: { path: { email: "ada@example.com" } } })
      .then(orThrow)
      .catch((e: unknown) => e);
    expect(isPingbackError(thrown, "CONTACT_NOT_FOUND")).toBe(true);
    expect((thrown as { requestId?: string }).requestId).toBeUndefined();
  });

  test("operationId limits a fault to some operations; faults given at creation survive reset", async () => {
    const fake = createFakePingback({
      rateLimit: false,
      faults: [["html-502", { operationId: "listSegments" }]],
    });
    fake.reset();
    expect((await fake.fetch(contactRequest(fake))).status).toBe(404);
    const segments = await fake.fetch(
      new Request("https://connect.pingback.com/v2/segments", {
        headers: { "x-api-key": fake.apiKey },
      }),
    );
    expect(segments.status).toBe(502);
  });

  test("an unknown fault is refused, listing the known ones", () => {
    const fake = createFakePingback();
    expect(() => fake.fault("meteor" as never)).toThrow(
      /no fault is named "meteor"\. Known faults: rate-limit-storm, 5xx-then-ok/,
    );
  });

  test("the breaches the live self-test uses are faults of the same mechanism", () => {
    const fake = createFakePingback();
    for (const name of [...BREACHES, ...INCIDENTS, ...ALLOWED])
      expect(() => fake.fault(name)).not.toThrow();
    expect(BREACHES).toContain("bare-error");
  });
});
