/**
 * OpenTelemetry and the logger, PII-safe by construction: every operation of the spec is run
 * against a real HTTP server on 127.0.0.1 (a 503 then its answer, and a 404 with a request id),
 * with an email address and webhook path segments that are easy to find, and the real OTel SDK's
 * InMemorySpanExporter and a logger's output are searched for them. What this proves: what the
 * client itself exports. It does not cover other instrumentation a user installs (an HTTP
 * auto-instrumentation records `url.full` on its own spans). The run is made once without and once
 * with `pathParamHashKey`: with it, each path parameter of an operation that takes the key is
 * exported as its HMAC, checked against `node:crypto`, and the webhook intake's are not, not even
 * hashed.
 */
import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { inspect } from "node:util";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createPingbackClient, type PingbackObserver } from "../src/index.js";
import { logCalls } from "../src/logger.js";
import { type TraceCallsOptions, traceCalls } from "../src/otel/index.js";
import { sendJson, startServer, type TestServer } from "./support/server.js";

const API_KEY = "sk_live_KEY_MUST_NOT_LEAK";
const EMAIL = "jane.secret+pii@example.org";
const PATH_VALUES: Record<string, string> = {
  email: EMAIL,
  dealId: "ea8a2a47-2a05-4a43-b284-35df0ea46333",
  webhookId: "wh-SECRET-hook",
  channelUid: "ch-SECRET-channel",
  workflowId: "wf-SECRET-flow",
};
const HASH_KEY = "trace-hash-KEY-must-not-leak-0123456789";
/** What `pingback.path_hash.<name>` must be: HMAC-SHA-256 by node:crypto, 16 hex digits. */
const hmacOf = (value: string) =>
  createHmac("sha256", HASH_KEY).update(value).digest("hex").slice(0, 16);
const WEBHOOK_SEGMENTS = ["webhookId", "channelUid", "workflowId"].map(
  (name) => PATH_VALUES[name] as string,
);
/** Everything that must not be exported or logged: the webhook's segments hashed included. */
const SECRETS = [
  API_KEY,
  HASH_KEY,
  "jane",
  "secret+pii",
  "SECRET",
  "ea8a2a47",
  "example.org",
  "127.0.0.1",
  ...WEBHOOK_SEGMENTS.map(hmacOf),
];

type Spec = {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        requestBody?: {
          content: Record<string, { examples?: Record<string, { value?: unknown }> }>;
        };
      }
    >
  >;
};
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const spec = JSON.parse(
  await readFile(createRequire(import.meta.url).resolve("@pingback/spec/openapi.json"), "utf8"),
) as Spec;
const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => METHODS.includes(method))
    .map(([method, op]) => {
      const example = Object.values(op.requestBody?.content["application/json"]?.examples ?? {})[0];
      // The example's emails become the one the test looks for.
      const body =
        example && JSON.parse(JSON.stringify(example.value).replace(/[\w.+-]+@[\w.-]+/g, EMAIL));
      return { method: method.toUpperCase(), path, operationId: op.operationId, body };
    }),
);

let server: TestServer;
/** Per path: the first request answers 503, the second 200 (or 404 for `?missing`). */
const seenPaths = new Map<string, number>();
beforeAll(async () => {
  server = await startServer((request, res) => {
    const n = seenPaths.get(request.url) ?? 0;
    seenPaths.set(request.url, n + 1);
    if (n % 2 === 0) return sendJson(res, 503, { error: "busy", requestId: "req-503" });
    if (request.headers["x-missing"]) {
      return sendJson(res, 404, {
        error: `Contact ${EMAIL} not found`,
        errorCode: "CONTACT_NOT_FOUND",
        requestId: "req-404",
      });
    }
    return sendJson(res, 200, { message: "ok", data: { page: 0, total: 0, data: [] } });
  });
});
afterAll(() => server.close());

async function runEveryOperation(observers: PingbackObserver[]) {
  const client = createPingbackClient({
    apiKey: API_KEY,
    baseUrl: server.baseUrl,
    retry: { baseDelayMs: 1, maxDelayMs: 2, retryNonIdempotent: true },
    rateLimit: false,
    observers,
  });
  const request = client.request as unknown as (
    m: string,
    p: string,
    i: object,
  ) => Promise<unknown>;
  for (const { method, path, body } of operations) {
    const params = {
      path: Object.fromEntries(
        [...path.matchAll(/\{(\w+)\}/g)].map(([, n]) => [n, PATH_VALUES[n as string]]),
      ),
    };
    await request(method.toLowerCase(), path, { params, body });
    await request(method.toLowerCase(), path, { params, body, headers: { "x-missing": "1" } });
  }
}

/** Every string an exported span carries: its name, attribute keys and values, events, status. */
function exportedText(spans: ReadableSpan[]): string {
  return JSON.stringify(
    spans.map((s) => ({
      name: s.name,
      attributes: s.attributes,
      events: s.events.map((e) => ({ name: e.name, attributes: e.attributes })),
      status: s.status,
    })),
  );
}

/** The spans of a run of every operation, as the SDK's in-memory exporter gets them. */
async function exportEveryOperation(options: Omit<TraceCallsOptions, "tracer"> = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  await runEveryOperation([traceCalls({ tracer: provider.getTracer("test"), ...options })]);
  return exporter.getFinishedSpans();
}

const hashAttributes = (span: ReadableSpan) =>
  Object.keys(span.attributes).filter((name) => name.startsWith("pingback.path_hash."));

describe("OpenTelemetry, with the SDK's in-memory exporter", () => {
  let spans: ReadableSpan[] = [];
  let keyed: ReadableSpan[] = [];
  beforeAll(async () => {
    spans = await exportEveryOperation();
    keyed = await exportEveryOperation({ pathParamHashKey: HASH_KEY });
  });

  test("a run of every operation exports no email, webhook path segment, key or URL", () => {
    const text = exportedText(spans);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(spans.flatMap(hashAttributes)).toEqual([]);
  });

  test("with pathParamHashKey too: no email, webhook path segment (even hashed), key or hash key", () => {
    expect(keyed).toHaveLength(spans.length);
    const text = exportedText(keyed);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  test("with pathParamHashKey, every span of an operation that takes the key carries each path parameter's HMAC; the webhook intake's none", () => {
    const checked = new Set<string>();
    for (const span of keyed) {
      const names = [...String(span.attributes["url.template"]).matchAll(/\{(\w+)\}/g)].map(
        ([, name]) => name as string,
      );
      const want = span.name.startsWith("POST /webhook/")
        ? {}
        : Object.fromEntries(
            names.map((n) => [`pingback.path_hash.${n}`, hmacOf(PATH_VALUES[n] as string)]),
          );
      const got = Object.fromEntries(hashAttributes(span).map((n) => [n, span.attributes[n]]));
      expect(got, span.name).toEqual(want);
      for (const [name, hash] of Object.entries(got)) checked.add(`${name}=${hash}`);
    }
    expect([...checked].sort()).toEqual([
      `pingback.path_hash.dealId=${hmacOf(PATH_VALUES.dealId as string)}`,
      `pingback.path_hash.email=${hmacOf(EMAIL)}`,
    ]);
  });

  test("pathParamHashKey must be a string or Uint8Array of at least 16 bytes; the error never shows it", () => {
    for (const key of ["", "fifteen-bytes!!", new Uint8Array(15), 1234567890123456, null, {}]) {
      let error: unknown;
      try {
        traceCalls({ pathParamHashKey: key as never });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/^traceCalls: `pathParamHashKey` must be a string/);
      expect((error as Error).message).not.toContain("fifteen");
      expect((error as Error).message).not.toContain("1234567890123456");
    }
    expect(() => traceCalls({ pathParamHashKey: "sixteen-bytes!!!" })).not.toThrow();
    expect(() => traceCalls({ pathParamHashKey: new Uint8Array(32) })).not.toThrow();
    expect(() => traceCalls({ pathParamHashKey: undefined })).not.toThrow();
  });

  test("one call span per call, named by the operation, with its template and operationId", () => {
    const calls = spans.filter((s) => s.parentSpanContext === undefined);
    expect(calls).toHaveLength(operations.length * 2);
    expect(new Set(calls.map((s) => s.name))).toEqual(
      new Set(operations.map((o) => `${o.method} ${o.path}`)),
    );
    for (const { method, path, operationId } of operations) {
      expect(calls.find((s) => s.name === `${method} ${path}`)?.attributes).toMatchObject({
        "http.request.method": method,
        "url.template": path,
        "pingback.operation_id": operationId,
      });
    }
  });

  test("attempts are child spans; a resend carries http.request.resend_count; a retry is an event", () => {
    const call = spans.find(
      (s) => s.name === "GET /contacts/{email}" && s.parentSpanContext === undefined,
    );
    const attempts = spans.filter(
      (s) => s.parentSpanContext?.spanId === call?.spanContext().spanId,
    );
    expect(
      attempts.map((a) => [
        a.attributes["http.request.resend_count"],
        a.attributes["http.response.status_code"],
      ]),
    ).toEqual([
      [undefined, 503],
      [1, 200],
    ]);
    expect(attempts[0]?.attributes["error.type"]).toBe("503");
    expect(call?.events.map((e) => [e.name, e.attributes?.["pingback.retry.reason"]])).toEqual([
      ["pingback.retry", "status"],
    ]);
  });

  test("a failed call carries the error code and the request id", () => {
    const failed = spans.filter((s) => s.attributes["pingback.error_code"] === "CONTACT_NOT_FOUND");
    expect(failed).toHaveLength(operations.length);
    expect(failed[0]?.attributes).toMatchObject({
      "pingback.request_id": "req-404",
      "http.response.status_code": 404,
      "error.type": "404",
    });
  });
});

describe("the logger", () => {
  test("at debug level, beside a keyed traceCalls, a run of every operation logs no email, webhook path segment, key or URL", async () => {
    const lines: string[] = [];
    // As pino (JSON) and console (util.inspect) would print the fields.
    const write = (fields: object, message: string) =>
      lines.push(`${message} ${JSON.stringify(fields)} ${inspect(fields, { depth: null })}`);
    await runEveryOperation([
      traceCalls({ tracer: new BasicTracerProvider().getTracer("t"), pathParamHashKey: HASH_KEY }),
      logCalls({ debug: write, info: write, warn: write }, { level: "debug" }),
    ]);
    expect(lines.length).toBeGreaterThan(operations.length * 8);
    const text = lines.join("\n");
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(lines).toContainEqual(
      expect.stringMatching(/^GET \/contacts\/\{email\}: retrying after \d+ ms \(503\) /),
    );
  });
});
