/**
 * What the client did, as events, against a real HTTP server on 127.0.0.1: each test gives the
 * server a behaviour and asserts the exact sequence of events an observer sees.
 */
import { inspect } from "node:util";
import { afterEach, describe, expect, test } from "vitest";
import {
  createPingbackClient,
  type PingbackClientOptions,
  type PingbackEvent,
  type RateLimitStore,
} from "../src/index.js";
import { type Handler, sendJson, startServer, type TestServer } from "./support/server.js";

const API_KEY = "sk_live_events_secret";
const found = { message: "Contact found", data: { id: "c1", email: "a@b.com" } };
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: Handler, options: Partial<PingbackClientOptions> = {}) {
  server = await startServer(handler);
  const events: PingbackEvent[] = [];
  const client = createPingbackClient({
    apiKey: API_KEY,
    baseUrl: server.baseUrl,
    retry: { baseDelayMs: 5, maxDelayMs: 10 },
    timeoutMs: 200,
    observers: [(event) => events.push(event)],
    ...options,
  });
  return { client, events };
}

const getContact = (client: ReturnType<typeof createPingbackClient>) =>
  client.GET("/contacts/{email}", { params: { path: { email: "a@b.com" } } });

/** The events without their timings, which vary, and the call's `pathParams` (a function). */
const shapes = (events: PingbackEvent[]) =>
  events.map((event) => {
    const {
      durationMs: _d,
      waitedMs: _w,
      pathParams: _p,
      ...rest
    } = event as unknown as Record<string, unknown>;
    return rest;
  });

const operation = "GET /contacts/{email}";

describe("events", () => {
  test("a call that succeeds: call, request, response, call-end", async () => {
    const { client, events } = await serve((_, res) => sendJson(res, 200, found));
    await getContact(client);
    expect(shapes(events)).toEqual([
      { callId: 1, operation, type: "call" },
      { callId: 1, operation, type: "request", attempt: 1 },
      { callId: 1, operation, type: "response", attempt: 1, status: 200 },
      {
        callId: 1,
        operation,
        type: "call-end",
        status: 200,
        errorCode: undefined,
        requestId: undefined,
      },
    ]);
    expect(events.every((e) => !("durationMs" in e) || e.durationMs >= 0)).toBe(true);
  });

  test("503 three times: two retries with their reason and delay, then give-up; call-end has the error code and request id", async () => {
    const { client, events } = await serve(
      (_, res) =>
        sendJson(res, 503, {
          error: "An unexpected error occurred.",
          errorCode: "INTERNAL_SERVER_ERROR",
          requestId: "req_1",
        }),
      { rateLimit: false },
    );
    await getContact(client);
    const ends = ["retry", "give-up", "call-end"];
    expect(shapes(events).filter((e) => ends.includes(e.type as string))).toEqual([
      {
        callId: 1,
        operation,
        type: "retry",
        attempt: 1,
        reason: "status",
        status: 503,
        delayMs: expect.any(Number),
      },
      {
        callId: 1,
        operation,
        type: "retry",
        attempt: 2,
        reason: "status",
        status: 503,
        delayMs: expect.any(Number),
      },
      { callId: 1, operation, type: "give-up", attempts: 3, reason: "status", status: 503 },
      {
        callId: 1,
        operation,
        type: "call-end",
        status: 503,
        errorCode: "INTERNAL_SERVER_ERROR",
        requestId: "req_1",
      },
    ]);
  });

  test("a 404 is an answer, not a give-up", async () => {
    const { client, events } = await serve((_, res) =>
      sendJson(res, 404, {
        error: "Contact not found",
        errorCode: "CONTACT_NOT_FOUND",
        requestId: "r",
      }),
    );
    await getContact(client);
    expect(events.map((e) => e.type)).toEqual(["call", "request", "response", "call-end"]);
  });

  test("the call's deadline passes: a timeout event with its phase, and the error's name at the end", async () => {
    const { client, events } = await serve(() => undefined, { timeoutMs: 50, rateLimit: false });
    await expect(getContact(client)).rejects.toThrow(/timed out/);
    expect(shapes(events)).toEqual([
      { callId: 1, operation, type: "call" },
      { callId: 1, operation, type: "request", attempt: 1 },
      { callId: 1, operation, type: "timeout", timeoutMs: 50, phase: "headers" },
      { callId: 1, operation, type: "call-end", status: undefined, error: "PingbackTimeoutError" },
    ]);
  });

  test("a connection refused: network-error", async () => {
    const { client, events } = await serve((_, res) => sendJson(res, 200, found), { retry: false });
    await server?.close();
    await expect(getContact(client)).rejects.toThrow(/no response/);
    expect(events.map((e) => e.type)).toEqual([
      "call",
      "request",
      "network-error",
      "give-up",
      "call-end",
    ]);
    expect(events[2]).toMatchObject({ error: "PingbackNetworkError" });
  });

  test("waiting for the local limiter, and for a shared store, is reported with its duration", async () => {
    const { client, events } = await serve((_, res) => sendJson(res, 200, found), {
      rateLimit: { requestsPerSecond: 20, burst: 2, reserve: 1, maxInFlight: 1 },
    });
    await Promise.all([getContact(client), getContact(client)]);
    const waits = events.filter((e) => e.type === "rate-limit");
    expect(waits).toEqual([expect.objectContaining({ callId: 2, attempt: 1, limiter: "local" })]);
    expect((waits[0] as { waitedMs: number }).waitedMs).toBeGreaterThan(10);

    const store: RateLimitStore = {
      acquire: () => new Promise((resolve) => setTimeout(() => resolve(() => {}), 20)),
      throttled: () => {},
    };
    const shared = await serve((_, res) => sendJson(res, 200, found), { rateLimit: { store } });
    await getContact(shared.client);
    expect(shared.events.filter((e) => e.type === "rate-limit")).toEqual([
      expect.objectContaining({
        callId: 1,
        attempt: 1,
        limiter: "shared",
        waitedMs: expect.any(Number),
      }),
    ]);
  });

  test("concurrent calls are told apart by callId", async () => {
    const { client, events } = await serve((_, res) => sendJson(res, 200, found), {
      rateLimit: false,
    });
    await Promise.all([getContact(client), client.GET("/contacts", {})]);
    expect(new Set(events.map((e) => `${e.callId} ${e.operation}`))).toEqual(
      new Set(["1 GET /contacts/{email}", "2 GET /contacts"]),
    );
  });

  test("a 2xx whose body is not JSON ends with the PingbackError the caller gets", async () => {
    const { client, events } = await serve((_, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>proxy</html>");
    });
    await expect(getContact(client)).rejects.toThrow(/the body is not JSON/);
    expect(events.at(-1)).toMatchObject({ type: "call-end", status: 200, error: "PingbackError" });
  });

  test("no event holds the key, the email or the URL, printed or serialised", async () => {
    const { client, events } = await serve((_, res) => sendJson(res, 200, found));
    await getContact(client);
    for (const shown of [JSON.stringify(events), inspect(events, { depth: null })]) {
      expect(shown).not.toContain(API_KEY);
      expect(shown).not.toContain("a@b.com");
      expect(shown).not.toContain("127.0.0.1");
    }
  });

  test("the call event's pathParams gives the path parameters to an observer that asks", async () => {
    const { client, events } = await serve((_, res) => sendJson(res, 200, found), {
      rateLimit: false,
    });
    await getContact(client);
    await client.PUT("/deals/{dealId}", { params: { path: { dealId: "d-1" } }, body: {} as never });
    await client.GET("/contacts");
    const calls = events.filter((e) => e.type === "call");
    expect(calls.map((e) => e.pathParams?.())).toEqual([
      { email: "a@b.com" },
      { dealId: "d-1" },
      {},
    ]);
  });

  test("an operation that takes no key (the webhook intake) gives no pathParams: its path is its secret", async () => {
    const { client, events } = await serve((_, res) => sendJson(res, 200, { message: "ok" }));
    await client.POST("/webhook/{webhookId}/c/{channelUid}/w/{workflowId}", {
      params: {
        path: { webhookId: "wh-SECRET", channelUid: "ch-SECRET", workflowId: "wf-SECRET" },
      },
      body: { email: "lead@example.com" },
    });
    const call = events.find((e) => e.type === "call");
    expect(call?.operation).toBe("POST /webhook/{webhookId}/c/{channelUid}/w/{workflowId}");
    expect(call && "pathParams" in call ? call.pathParams : undefined).toBeUndefined();
  });

  test("an observer that throws does not stop the call or the other observers", async () => {
    server = await startServer((_, res) => sendJson(res, 200, found));
    const seen: string[] = [];
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", onUncaught);
    try {
      const client = createPingbackClient({
        apiKey: API_KEY,
        baseUrl: server.baseUrl,
        observers: [
          () => {
            throw new Error("observer bug");
          },
          (event) => seen.push(event.type),
        ],
      });
      const { data } = await getContact(client);
      expect(data).toEqual(found);
      expect(seen).toEqual(["call", "request", "response", "call-end"]);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(uncaught).toHaveLength(4);
    } finally {
      process.off("uncaughtException", onUncaught);
    }
  });

  test("observers must be functions", () => {
    expect(() => createPingbackClient({ apiKey: API_KEY, observers: [{} as never] })).toThrow(
      "createPingbackClient: `observers` must be functions.",
    );
  });
});
