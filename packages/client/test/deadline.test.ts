/**
 * One deadline per call, and a caller's signal that ends it anywhere: against a real HTTP server on
 * 127.0.0.1 that sends its headers and then stalls, or trickles, the body; that asks for a long
 * `Retry-After`; and that serves pages whose second one stalls. Each test bounds how late the
 * call settles, with room for a loaded machine, far below the stall it would otherwise wait out.
 */
import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, test } from "vitest";
import {
  createPingbackClient,
  orThrow,
  PingbackAbortError,
  PingbackTimeoutError,
} from "../src/index.js";
import { sendJson, startServer, type TestServer } from "./support/server.js";

const apiKey = "sk_live_deadline_secret";
const email = { params: { path: { email: "a@b.com" } } };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Sends a 200's headers and the start of its JSON body, then one byte every `everyMs` (never ending). */
function trickle(res: ServerResponse, everyMs: number): Promise<void> {
  res.writeHead(200, { "content-type": "application/json" });
  res.write('{"message":"Contact found","data":');
  return new Promise((resolve) => {
    const timer = setInterval(() => res.write(" "), everyMs);
    res.on("close", () => {
      clearInterval(timer);
      resolve();
    });
  });
}

async function client(handler: Parameters<typeof startServer>[0], options = {}) {
  server = await startServer(handler);
  return createPingbackClient({ apiKey, baseUrl: server.baseUrl, ...options });
}

/** How long `promise` takes to settle, and what it settled with. */
async function timed<T>(promise: Promise<T>): Promise<{ ms: number; error: unknown }> {
  const start = performance.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: performance.now() - start, error };
}

describe("a body that stalls after the headers", () => {
  test("the caller's abort ends the call at once, with PingbackAbortError naming the body phase", async () => {
    const pingback = await client((_, res) => trickle(res, 10_000));
    const controller = new AbortController();
    const call = pingback.GET("/contacts/{email}", {
      ...email,
      signal: controller.signal,
      timeoutMs: 60_000,
    });
    await server?.received(1);
    // Let the headers arrive, so the call is reading the body when the abort comes.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const reason = new Error("user left");
    const settled = timed(call);
    controller.abort(reason);
    const { ms, error } = await settled;
    expect(error).toBeInstanceOf(PingbackAbortError);
    expect(error).toMatchObject({
      phase: "body",
      operation: "GET /contacts/{email}",
      cause: reason,
    });
    expect((error as Error).message).toBe(
      "GET /contacts/{email} was aborted reading the response body.",
    );
    expect(ms).toBeLessThan(1_000);
  });

  test("the deadline ends a body that trickles one byte a second, with PingbackTimeoutError", async () => {
    const pingback = await client((_, res) => trickle(res, 1_000), { timeoutMs: 1_500 });
    const { ms, error } = await timed(pingback.GET("/contacts/{email}", email));
    expect(error).toBeInstanceOf(PingbackTimeoutError);
    expect(error).toMatchObject({ phase: "body", timeoutMs: 1_500 });
    expect((error as Error).message).toBe(
      "GET /contacts/{email} timed out after 1500 ms reading the response body; raise `timeoutMs` if that is too short.",
    );
    // At least the deadline, at most the grouping window (100 ms) and a loaded machine's delay later.
    expect(ms).toBeGreaterThanOrEqual(1_490);
    expect(ms).toBeLessThan(3_000);
    // The deadline is the call's: an idempotent GET is not sent again once it has passed.
    expect(server?.seen).toHaveLength(1);
  });

  test("the result style gets the same typed error: a timeout is not an HTTP answer", async () => {
    const pingback = await client((_, res) => trickle(res, 10_000), { timeoutMs: 300 });
    const { error } = await timed(pingback.GET("/contacts/{email}", email).then(orThrow));
    expect(error).toMatchObject({ name: "PingbackTimeoutError", phase: "body" });
  });
});

describe("paginate", () => {
  const page = (n: number) => ({
    message: "Contacts found",
    data: {
      page: n,
      total: 30,
      data: Array.from({ length: 10 }, (_, i) => ({ id: `${n * 10 + i}` })),
    },
  });

  test("an abort while a page's body stalls ends the loop at once", async () => {
    const pingback = await client((request, res) => {
      const n = Number(new URL(request.url, "http://x").searchParams.get("page"));
      return n === 0 ? sendJson(res, 200, page(0)) : trickle(res, 10_000);
    });
    const controller = new AbortController();
    const ids: string[] = [];
    const loop = (async () => {
      for await (const contact of pingback.paginate("/contacts", {
        signal: controller.signal,
        timeoutMs: 60_000,
      })) {
        ids.push(contact.id);
      }
    })();
    await server?.received(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const settled = timed(loop);
    controller.abort(new Error("export cancelled"));
    const { ms, error } = await settled;
    expect(error).toMatchObject({ name: "PingbackAbortError", phase: "body" });
    expect(ms).toBeLessThan(1_000);
    expect(ids).toHaveLength(10);
  });

  test("each page has the deadline of a call: a stalled page fails with PingbackTimeoutError", async () => {
    const pingback = await client((request, res) => {
      const n = Number(new URL(request.url, "http://x").searchParams.get("page"));
      return n === 0 ? sendJson(res, 200, page(0)) : trickle(res, 10_000);
    });
    const { ms, error } = await timed(
      (async () => {
        for await (const _ of pingback.paginate("/contacts", { timeoutMs: 500 })) void _;
      })(),
    );
    expect(error).toMatchObject({ name: "PingbackTimeoutError", phase: "body" });
    expect(ms).toBeLessThan(3_000);
  });
});

describe("a long Retry-After against the deadline and maxRetryAfterMs", () => {
  // The issue's case: after one 429 with `Retry-After: 60`, a call with timeoutMs 2000 and
  // maxRetryAfterMs 1000 returned after 60,006 ms.
  const tooManyThenOk = (res: ServerResponse, index: number) =>
    index === 0
      ? sendJson(
          res,
          429,
          { error: "Too many requests.", errorCode: "TOO_MANY_REQUESTS" },
          { "retry-after": "60" },
        )
      : sendJson(res, 200, { message: "Contact found", data: { id: "c1" } });

  test("the 429 comes back at once and says why it was not retried; the next call gives up at once", async () => {
    const pingback = await client((_, res, i) => tooManyThenOk(res, i), {
      timeoutMs: 2_000,
      retry: { maxRetryAfterMs: 1_000 },
    });
    const first = await timed(pingback.GET("/contacts/{email}", email).then(orThrow));
    expect(first.error).toMatchObject({ name: "PingbackError", status: 429 });
    expect((first.error as Error).message).toContain(
      "Too many requests. — not retried: Retry-After asks 60000 ms, more than maxRetryAfterMs (1000 ms)",
    );
    expect(first.error).toMatchObject({ headers: { "retry-after": "60" } });
    const second = await timed(pingback.GET("/contacts/{email}", email));
    expect(second.error).toMatchObject({ name: "PingbackTimeoutError", phase: "queue" });
    expect((second.error as Error).message).toMatch(
      /gave up waiting for the rate limit: the API's Retry-After pauses calls \d+ ms more, more than maxRetryAfterMs \(1000 ms\)\.$/,
    );
    expect(first.ms + second.ms).toBeLessThan(2_000);
    expect(server?.seen).toHaveLength(1);
  });

  test("with the default maxRetryAfterMs, the deadline is the bound, and the error names it", async () => {
    const pingback = await client((_, res, i) => tooManyThenOk(res, i), { timeoutMs: 2_000 });
    const first = await timed(pingback.GET("/contacts/{email}", email).then(orThrow));
    expect((first.error as Error).message).toMatch(
      /not retried: waiting 60000 ms, more than the deadline leaves \(\d+ ms\)$/,
    );
    const second = await timed(pingback.GET("/contacts/{email}", email));
    expect((second.error as Error).message).toMatch(
      /pauses calls \d+ ms more, more than the deadline leaves \(\d+ ms\)\.$/,
    );
    expect(first.ms + second.ms).toBeLessThan(2_000);
  });
});
