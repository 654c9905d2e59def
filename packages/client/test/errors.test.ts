/** The throwing style, error bodies of every shape, and secrets kept out of everything printable. */
import { inspect } from "node:util";
import { describe, expect, test } from "vitest";
import {
  createPingbackClient,
  isPingbackError,
  orThrow,
  PingbackError,
  PingbackNetworkError,
  PingbackTimeoutError,
} from "../src/index.js";
import { contact, ok, stubFetch } from "./support/stub.js";

const apiKey = "sk_live_never_print_me";

function client(answer: Response | Error) {
  return createPingbackClient({ apiKey, fetch: stubFetch(answer).fetch, retry: false });
}

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

const getContact = (c: ReturnType<typeof client>) =>
  c.GET("/contacts/{email}", { params: { path: { email: "a@b.com" } } }).then(orThrow);

describe("orThrow", () => {
  test("returns the success body", async () => {
    await expect(getContact(client(ok()))).resolves.toEqual({
      message: "Contact found",
      data: contact,
    });
  });

  test.each([
    {
      given: "the API's error body",
      status: 404,
      body: { error: "Contact not found", errorCode: "CONTACT_NOT_FOUND", requestId: "req-1" },
      want: {
        errorCode: "CONTACT_NOT_FOUND",
        requestId: "req-1",
        message:
          "GET /contacts/{email} failed with 404 CONTACT_NOT_FOUND: Contact not found (requestId req-1)",
      },
    },
    {
      given: "a code the spec does not know yet",
      status: 409,
      body: { error: "Locked", errorCode: "CONTACT_LOCKED" },
      want: {
        errorCode: "CONTACT_LOCKED",
        requestId: undefined,
        message: "GET /contacts/{email} failed with 409 CONTACT_LOCKED: Locked",
      },
    },
    {
      given: "a body with no field set",
      status: 403,
      body: {},
      want: {
        errorCode: undefined,
        message:
          "GET /contacts/{email} failed with 403: the server sent JSON without an `error` message",
      },
    },
    {
      given: "fields of the wrong type",
      status: 500,
      body: { error: 42, errorCode: ["X"], requestId: null },
      want: { errorCode: undefined, requestId: undefined },
    },
    {
      given: "a text body",
      status: 502,
      body: "upstream connect error",
      want: {
        errorCode: undefined,
        message:
          "GET /contacts/{email} failed with 502: the server sent a non-JSON body (upstream connect error)",
      },
    },
  ])("$given becomes a PingbackError", async ({ status, body, want }) => {
    const answer =
      typeof body === "string" ? new Response(body, { status }) : Response.json(body, { status });
    const error = await thrown(getContact(client(answer)));
    expect(error).toBeInstanceOf(PingbackError);
    expect(error).toMatchObject({ status, operation: "GET /contacts/{email}", ...want });
  });

  test("a long HTML page is cut to one line in the message, and kept whole in `body`", async () => {
    const page = `<html><body>${"<p>Bad gateway</p>\n".repeat(50)}</body></html>`;
    const error = (await thrown(
      getContact(client(new Response(page, { status: 502, statusText: "Bad Gateway" }))),
    )) as PingbackError;
    expect(error.message).toMatch(
      /^GET \/contacts\/\{email\} failed with 502: the server sent a non-JSON body \(<html>.{60,}…\)$/,
    );
    expect(error.body).toBe(page);
  });
});

describe("narrowing by errorCode", () => {
  test("isPingbackError() tells the code apart", async () => {
    const error = await thrown(
      getContact(client(Response.json({ errorCode: "CONTACT_NOT_FOUND" }, { status: 404 }))),
    );
    expect(isPingbackError(error)).toBe(true);
    expect(isPingbackError(error, "CONTACT_NOT_FOUND")).toBe(true);
    expect(isPingbackError(error, "FORBIDDEN")).toBe(false);
    expect(isPingbackError(new Error("x"))).toBe(false);
  });
});

describe("the API key never leaves the request", () => {
  const echo = (status: number) =>
    Response.json({ error: "Invalid key", requestId: "r" }, { status });

  test.each([
    { given: "a PingbackError", make: () => getContact(client(echo(403))) },
    {
      given: "a PingbackNetworkError",
      make: () => getContact(client(new TypeError("fetch failed"))),
    },
    {
      given: "a PingbackTimeoutError",
      make: () =>
        createPingbackClient({
          apiKey,
          retry: false,
          timeoutMs: 5,
          fetch: (_request, init) =>
            new Promise<Response>((_, reject) => {
              init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
            }),
        }).GET("/contacts"),
    },
  ])("$given: message, stack, toJSON and inspect", async ({ make }) => {
    const error = await thrown(make());
    expect(error).toBeInstanceOf(Error);
    for (const text of [
      String(error),
      (error as Error).stack,
      JSON.stringify(error),
      inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    ]) {
      expect(text).not.toContain(apiKey);
    }
  });

  test("an error body that echoes the key is redacted, at any depth", async () => {
    const echoed = Response.json(
      { error: `Invalid API key ${apiKey}`, errorCode: "FORBIDDEN", details: { sent: [apiKey] } },
      { status: 403 },
    );
    const error = (await thrown(getContact(client(echoed)))) as PingbackError;
    expect(error.message).toBe(
      "GET /contacts/{email} failed with 403 FORBIDDEN: Invalid API key [redacted]",
    );
    expect(error.body).toEqual({
      error: "Invalid API key [redacted]",
      errorCode: "FORBIDDEN",
      details: { sent: ["[redacted]"] },
    });
    const printed = [JSON.stringify(error), inspect(error, { depth: Number.POSITIVE_INFINITY })];
    for (const text of printed) expect(text).not.toContain(apiKey);
  });

  test("the result-style `error` that echoes the key is redacted too", async () => {
    const echoed = Response.json(
      { error: `Invalid API key ${apiKey}`, errorCode: "FORBIDDEN" },
      { status: 403 },
    );
    const result = await client(echoed).GET("/contacts/{email}", {
      params: { path: { email: "a@b.com" } },
    });
    expect(result.error).toEqual({ error: "Invalid API key [redacted]", errorCode: "FORBIDDEN" });
    expect(result.response.status).toBe(403);
  });

  test("the client itself does not show it", () => {
    const c = client(ok());
    expect(inspect(c, { depth: Number.POSITIVE_INFINITY, showHidden: true })).not.toContain(apiKey);
    expect(JSON.stringify(c)).not.toContain(apiKey);
  });

  test("onRetry events carry no headers", async () => {
    const events: unknown[] = [];
    const c = createPingbackClient({
      apiKey,
      fetch: stubFetch(Response.json({}, { status: 429, headers: { "retry-after": "0" } }), ok())
        .fetch,
      retry: { onRetry: (e) => events.push(e) },
    });
    await c.GET("/contacts");
    expect(events).toHaveLength(1);
    expect(inspect(events, { depth: Number.POSITIVE_INFINITY })).not.toContain(apiKey);
  });
});

describe("error types", () => {
  test("each failure has its own class and name", () => {
    expect(new PingbackNetworkError("x").name).toBe("PingbackNetworkError");
    expect(new PingbackTimeoutError(5).name).toBe("PingbackTimeoutError");
    expect(new PingbackError({ status: 500, body: undefined }).name).toBe("PingbackError");
  });
});
