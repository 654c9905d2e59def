/**
 * The drift report against a real HTTP server on 127.0.0.1 that answers off the spec: "report"
 * calls onDrift with the pointer and the rule and returns the data as before; "throw" throws a
 * PingbackDriftError naming the operation. No event holds a value from the body.
 */
import { afterEach, describe, expect, test } from "vitest";
import { checkDrift, type DriftEvent, driftOf, PingbackDriftError } from "../src/drift/index.js";
import { createPingbackClient, orThrow } from "../src/index.js";
import { type Handler, sendJson, startServer, type TestServer } from "./support/server.js";

const API_KEY = "sk_live_drift_secret";
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: Handler) {
  server = await startServer(handler);
  return createPingbackClient({ apiKey: API_KEY, baseUrl: server.baseUrl, retry: false });
}

const id = "ea8a2a47-2a05-4a43-b284-35df0ea46333";
/** A contact whose id is a number, whose email is not one, and that lacks nothing else. */
const offSpec = {
  message: "Contact found",
  data: { id: 42, email: "not-an-email jane.doe@example.com", status: "active" },
};

describe('"report"', () => {
  test("onDrift gets each violation with its pointer, rule, JSON type and source; the data comes back as today", async () => {
    const client = await serve((_, res) => sendJson(res, 200, offSpec));
    const events: DriftEvent[] = [];
    client.use(checkDrift({ mode: "report", onDrift: (event) => events.push(event) }));
    const data = orThrow(
      await client.GET("/contacts/{email}", {
        params: { path: { email: "jane.doe@example.com" } },
      }),
    );
    expect(data).toEqual(offSpec);
    expect(events).toEqual([
      {
        operation: "GET /contacts/{email}",
        direction: "response",
        status: 200,
        pointer: "/data/id",
        rule: "type",
        expected: { type: "string" },
        received: "number",
        source: "published",
      },
      {
        operation: "GET /contacts/{email}",
        direction: "response",
        status: 200,
        pointer: "/data/email",
        rule: "format",
        expected: { format: "email" },
        received: "string",
        source: "published",
      },
    ]);
    // Values are replaced by their JSON types: no email, no id.
    expect(JSON.stringify(events)).not.toMatch(/jane|42|example\.com/);
  });

  test("a missing member is reported where it should be, as `missing`", async () => {
    const client = await serve((_, res) => sendJson(res, 200, { message: "ok", data: { id } }));
    const events: DriftEvent[] = [];
    client.use(checkDrift({ mode: "report", onDrift: (event) => events.push(event) }));
    await client.GET("/contacts/{email}", { params: { path: { email: "a@b.com" } } });
    expect(events).toEqual([
      expect.objectContaining({
        pointer: "/data/email",
        rule: "required",
        expected: { missingProperty: "email" },
        received: "missing",
      }),
    ]);
  });

  test("an error body off the spec is reported with its status", async () => {
    const client = await serve((_, res) =>
      sendJson(res, 404, { error: 404, errorCode: "CONTACT_NOT_FOUND", requestId: "r-1" }),
    );
    const events: DriftEvent[] = [];
    client.use(checkDrift({ mode: "report", onDrift: (event) => events.push(event) }));
    const { error } = await client.GET("/contacts/{email}", {
      params: { path: { email: "a@b.com" } },
    });
    expect(error).toEqual({ error: 404, errorCode: "CONTACT_NOT_FOUND", requestId: "r-1" });
    expect(events).toEqual([
      expect.objectContaining({ status: 404, pointer: "/error", rule: "type", received: "number" }),
    ]);
  });

  test("a body on the spec reports nothing", async () => {
    const client = await serve((_, res) =>
      sendJson(res, 200, { message: "Contact found", data: { id, email: "a@b.com" } }),
    );
    const events: DriftEvent[] = [];
    client.use(checkDrift({ mode: "report", onDrift: (event) => events.push(event) }));
    await client.GET("/contacts/{email}", { params: { path: { email: "a@b.com" } } });
    expect(events).toEqual([]);
  });

  test("sampleRate 0 checks nothing", async () => {
    const client = await serve((_, res) => sendJson(res, 200, offSpec));
    const events: DriftEvent[] = [];
    client.use(
      checkDrift({ mode: "report", onDrift: (event) => events.push(event), sampleRate: 0 }),
    );
    await client.GET("/contacts/{email}", { params: { path: { email: "a@b.com" } } });
    expect(events).toEqual([]);
  });

  test("a schema the spec marks as inferred says so", () => {
    // EmailVerificationResponse is `x-pingback-source: inferred`: its body is not published.
    expect(driftOf("POST /email-verification/{email}", 200, { message: 5 })).toEqual([
      expect.objectContaining({ pointer: "/message", rule: "type", source: "inferred" }),
    ]);
  });
});

describe('"throw"', () => {
  test("an answer off the spec throws PingbackDriftError naming the operation", async () => {
    const client = await serve((_, res) => sendJson(res, 200, offSpec));
    client.use(checkDrift({ mode: "throw" }));
    const error = await client
      .GET("/contacts/{email}", { params: { path: { email: "jane.doe@example.com" } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PingbackDriftError);
    expect((error as PingbackDriftError).operation).toBe("GET /contacts/{email}");
    expect((error as PingbackDriftError).status).toBe(200);
    expect((error as Error).message).toBe(
      'GET /contacts/{email} answered 200 with a body that does not match the spec: /data/id type {"type":"string"}, got number; /data/email format {"format":"email"}, got string.',
    );
    expect((error as Error).message).not.toMatch(/jane/);
  });

  test("a request off the spec is refused before it is sent", async () => {
    const client = await serve((_, res) => sendJson(res, 201, {}));
    client.use(checkDrift({ mode: "throw" }));
    const error = await client
      // @ts-expect-error: plain JS, or a cast, can send what the types forbid.
      .POST("/contacts", { body: { email: 5 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PingbackDriftError);
    expect((error as Error).message).toBe(
      'POST /contacts was not sent: its body does not match the spec: /email type {"type":"string"}, got number.',
    );
    expect(server?.seen).toEqual([]);
  });
});

describe("options", () => {
  test.each([
    [{}, 'checkDrift: `mode` must be "report" or "throw", got undefined.'],
    [
      { mode: "report" },
      'checkDrift: `onDrift` must be a function in "report" mode: it receives each violation.',
    ],
    [
      { mode: "throw", sampleRate: 2 },
      "checkDrift: `sampleRate` must be a number from 0 to 1, got 2.",
    ],
  ])("%j is refused", (options, message) => {
    expect(() => checkDrift(options as never)).toThrow(message);
  });
});
