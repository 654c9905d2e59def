/** Retries, timeouts and the limiter through the client, on fake timers with an injected fetch. */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import {
  createPingbackClient,
  orThrow,
  PingbackAbortError,
  PingbackNetworkError,
  PingbackTimeoutError,
  type RetryEvent,
} from "../src/index.js";
import { GROUP_WINDOW_MS } from "../src/timeout.js";
import { ok, stubFetch } from "./support/stub.js";

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, "random").mockReturnValue(1);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const apiKey = "sk_live_transport_secret";
const busy = () => Response.json({ error: "busy" }, { status: 503 });
const tooMany = (retryAfter?: string) =>
  Response.json(
    { error: "slow down" },
    { status: 429, headers: retryAfter ? { "retry-after": retryAfter } : {} },
  );
const get = (client: ReturnType<typeof createPingbackClient>, init = {}) =>
  client.GET("/contacts/{email}", { params: { path: { email: "a@b.com" } }, ...init });

describe("backoff", () => {
  test("waits 500 ms, then 1000 ms (jitter at its top), then gives up with the last response", async () => {
    const stub = stubFetch(busy());
    const retries: RetryEvent[] = [];
    const client = createPingbackClient({
      apiKey,
      fetch: stub.fetch,
      retry: { onRetry: (e) => retries.push(e) },
    });
    const call = get(client);
    await vi.advanceTimersByTimeAsync(499);
    expect(stub.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(stub.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(stub.requests).toHaveLength(3);
    const { response } = await call;
    expect(response.status).toBe(503);
    expect(retries).toEqual([
      {
        attempt: 1,
        delayMs: 500,
        operation: "GET /contacts/{email}",
        status: 503,
        retryAfter: null,
      },
      expect.objectContaining({ attempt: 2, delayMs: 1_000, status: 503 }),
    ]);
  });

  test("Retry-After as an HTTP date is honoured", async () => {
    vi.setSystemTime(Date.parse("2026-01-01T00:00:00Z"));
    const stub = stubFetch(tooMany("Thu, 01 Jan 2026 00:00:03 GMT"), ok());
    const client = createPingbackClient({ apiKey, fetch: stub.fetch });
    const call = get(client);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(stub.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect((await call).response.status).toBe(200);
  });

  test("a Retry-After longer than maxRetryAfterMs is not waited for: the 429 is returned", async () => {
    const stub = stubFetch(tooMany("3600"), ok());
    const client = createPingbackClient({ apiKey, fetch: stub.fetch });
    expect((await get(client)).response.status).toBe(429);
    expect(stub.requests).toHaveLength(1);
  });

  test("a create's body is sent whole on each attempt", async () => {
    const stub = stubFetch(tooMany("1"), Response.json({ message: "ok" }, { status: 201 }));
    const client = createPingbackClient({ apiKey, fetch: stub.fetch });
    const call = client.POST("/contacts", { body: { email: "a@b.com" } });
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await call).response.status).toBe(201);
    const bodies = await Promise.all(stub.requests.map((r) => r.text()));
    expect(bodies).toEqual(['{"email":"a@b.com"}', '{"email":"a@b.com"}']);
  });

  test("retry: false on the client, or on one request, sends once", async () => {
    const stub = stubFetch(busy());
    const off = createPingbackClient({ apiKey, fetch: stub.fetch, retry: false });
    expect((await get(off)).response.status).toBe(503);
    const on = createPingbackClient({ apiKey, fetch: stub.fetch });
    expect((await get(on, { retry: false })).response.status).toBe(503);
    expect(stub.requests).toHaveLength(2);
  });

  test("a request's own retry options merge over the client's", async () => {
    const stub = stubFetch(busy(), ok());
    // The whole burst (reserve: 0), so the retry is not also waiting for a token.
    const client = createPingbackClient({
      apiKey,
      fetch: stub.fetch,
      retry: false,
      rateLimit: { reserve: 0 },
    });
    const call = get(client, { retry: { retries: 1, baseDelayMs: 10 } });
    await vi.advanceTimersByTimeAsync(10);
    expect((await call).response.status).toBe(200);
  });

  test("a request's own fetch still gets retries", async () => {
    const stub = stubFetch(busy(), ok());
    const client = createPingbackClient({ apiKey });
    const call = get(client, { fetch: stub.fetch });
    await vi.advanceTimersByTimeAsync(500);
    expect((await call).response.status).toBe(200);
    expect(stub.requests).toHaveLength(2);
  });

  test("a caller's abort during the backoff stops the retries", async () => {
    const stub = stubFetch(busy());
    const client = createPingbackClient({ apiKey, fetch: stub.fetch });
    const controller = new AbortController();
    const call = get(client, { signal: controller.signal });
    const settled = expect(call).rejects.toMatchObject({
      name: "PingbackAbortError",
      phase: "retry",
      message: "GET /contacts/{email} was aborted waiting to retry.",
      cause: new Error("stop"),
    });
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(new Error("stop"));
    await settled;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(stub.requests).toHaveLength(1);
  });
});

describe("timeouts", () => {
  /** A fetch that never answers, until its signal aborts (as every standard fetch does). */
  const hang = (_request: Request, init?: RequestInit) =>
    new Promise<Response>((_, reject) => {
      init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
    });

  test("a call that takes longer than timeoutMs fails with PingbackTimeoutError, naming where it was", async () => {
    const stub = stubFetch(hang);
    const client = createPingbackClient({
      apiKey,
      fetch: stub.fetch,
      timeoutMs: 1_000,
      retry: false,
    });
    const call = get(client);
    const settled = expect(call).rejects.toMatchObject({
      name: "PingbackTimeoutError",
      phase: "headers",
      timeoutMs: 1_000,
      message:
        "GET /contacts/{email} timed out after 1000 ms waiting for the response; raise `timeoutMs` if that is too short.",
    });
    await vi.advanceTimersByTimeAsync(1_000 + GROUP_WINDOW_MS);
    await settled;
  });

  test("the default timeout is 30 s: never earlier, and at most the grouping window later", async () => {
    const stub = stubFetch(hang);
    const client = createPingbackClient({ apiKey, fetch: stub.fetch, retry: false });
    let settledAt: number | undefined;
    const call = get(client).catch((error: unknown) => {
      settledAt = Date.now();
      return error;
    });
    const startedAt = Date.now();
    await vi.advanceTimersByTimeAsync(29_999);
    expect(settledAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1 + GROUP_WINDOW_MS);
    expect(await call).toBeInstanceOf(PingbackTimeoutError);
    expect((settledAt ?? 0) - startedAt).toBeGreaterThanOrEqual(30_000);
    expect((settledAt ?? 0) - startedAt).toBeLessThanOrEqual(30_000 + GROUP_WINDOW_MS);
  });

  test("with a caller's signal, the attempt has a signal of its own that follows both", async () => {
    const signals: (AbortSignal | null | undefined)[] = [];
    const stub = stubFetch((request, init) => {
      signals.push(init?.signal);
      return hang(request, init);
    });
    const client = createPingbackClient({
      apiKey,
      fetch: stub.fetch,
      retry: false,
      rateLimit: { reserve: 0 }, // both attempts start at once
    });
    const call = get(client, { signal: new AbortController().signal, timeoutMs: 1_000 });
    const other = get(client, { timeoutMs: 1_000 });
    const settled = expect(call).rejects.toBeInstanceOf(PingbackTimeoutError);
    const otherSettled = expect(other).rejects.toBeInstanceOf(PingbackTimeoutError);
    await vi.advanceTimersByTimeAsync(999);
    expect(signals).toHaveLength(2);
    expect(signals[0]).not.toBe(signals[1]);
    await vi.advanceTimersByTimeAsync(1 + GROUP_WINDOW_MS);
    await settled;
    await otherSettled;
  });

  test("attempts that start close together share one signal; later ones get another", async () => {
    const signals: (AbortSignal | null | undefined)[] = [];
    const client = createPingbackClient({
      apiKey,
      rateLimit: false,
      fetch: async (_request, init) => {
        signals.push(init?.signal);
        return Response.json({ message: "ok", data: {} });
      },
    });
    await get(client);
    await get(client);
    await vi.advanceTimersByTimeAsync(GROUP_WINDOW_MS);
    await get(client);
    expect(signals[0]).toBe(signals[1]);
    expect(signals[2]).not.toBe(signals[0]);
    expect(signals.every((signal) => signal?.aborted === false)).toBe(true);
  });

  test("a group's timer is retired once a newer group opens and its attempts have answers", async () => {
    const client = createPingbackClient({
      apiKey,
      rateLimit: false,
      timeoutMs: 1_000,
      fetch: async () => Response.json({ message: "ok", data: {} }),
    });
    await get(client);
    await vi.advanceTimersByTimeAsync(GROUP_WINDOW_MS);
    await get(client); // opens the next group, which retires the first one's timer
    expect(vi.getTimerCount()).toBe(1);
  });

  test("a call with its own signal leaves the shared group's deadline in place", async () => {
    let calls = 0;
    const client = createPingbackClient({
      apiKey,
      rateLimit: false,
      retry: false,
      timeoutMs: 1_000,
      fetch: (request, init) => (++calls === 3 ? hang(request, init) : Promise.resolve(ok())),
    });
    await get(client);
    await get(client, { signal: new AbortController().signal });
    const hanging = expect(get(client)).rejects.toBeInstanceOf(PingbackTimeoutError);
    await vi.advanceTimersByTimeAsync(1_000 + GROUP_WINDOW_MS);
    await hanging;
  });

  test("the deadline aborts the signal handed to fetch", async () => {
    let signal: AbortSignal | undefined;
    const client = createPingbackClient({
      apiKey,
      retry: false,
      timeoutMs: 100,
      fetch: (request, init) => {
        signal = init?.signal ?? undefined;
        return hang(request, init);
      },
    });
    const settled = expect(get(client)).rejects.toBeInstanceOf(PingbackTimeoutError);
    await vi.advanceTimersByTimeAsync(100 + GROUP_WINDOW_MS);
    await settled;
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(PingbackTimeoutError);
  });

  test("a caller's abort rejects with PingbackAbortError, its reason as cause, not a timeout", async () => {
    const stub = stubFetch(hang);
    const client = createPingbackClient({ apiKey, fetch: stub.fetch });
    const controller = new AbortController();
    const call = get(client, { signal: controller.signal });
    const reason = new DOMException("The user aborted", "AbortError");
    const settled = call.catch((error: unknown) => {
      expect(error).toBeInstanceOf(PingbackAbortError);
      expect(error).toMatchObject({ phase: "headers", operation: "GET /contacts/{email}" });
      expect((error as Error).cause).toBe(reason);
    });
    await vi.advanceTimersByTimeAsync(10);
    controller.abort(reason);
    await settled;
    expect(stub.requests).toHaveLength(1);
  });

  test("the deadline is the call's, not each attempt's: a timeout ends the call, GET or POST", async () => {
    const stub = stubFetch(hang, ok());
    const client = createPingbackClient({ apiKey, fetch: stub.fetch, timeoutMs: 100 });
    const call = expect(get(client)).rejects.toBeInstanceOf(PingbackTimeoutError);
    await vi.advanceTimersByTimeAsync(100 + GROUP_WINDOW_MS + 5_000);
    await call;
    expect(stub.requests).toHaveLength(1);

    const posts = stubFetch(hang, ok());
    const poster = createPingbackClient({ apiKey, fetch: posts.fetch, timeoutMs: 100 });
    const post = poster.POST("/contacts", { body: { email: "a@b.com" } });
    const settled = expect(post).rejects.toBeInstanceOf(PingbackTimeoutError);
    await vi.advanceTimersByTimeAsync(5_000);
    await settled;
    expect(posts.requests).toHaveLength(1);
  });
});

describe("waits within the deadline", () => {
  test("the deadline covers the queue: a call still queued when it passes fails, naming the queue", async () => {
    const stub = stubFetch(ok());
    const client = createPingbackClient({ apiKey, fetch: stub.fetch });
    await get(client);
    const queued = [1, 2, 3].map(() => get(client, { timeoutMs: 300 }));
    const settled = Promise.allSettled(queued);
    await vi.advanceTimersByTimeAsync(300 + GROUP_WINDOW_MS);
    const results = await settled;
    // One token every 200 ms: the first waiter leaves at 200 ms, the others are still queued.
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected"]);
    expect(results[1]).toMatchObject({ reason: { name: "PingbackTimeoutError", phase: "queue" } });
    expect(stub.requests).toHaveLength(2);
  });

  test("a Retry-After longer than the time left is not waited for: the 429 comes back, and says why", async () => {
    const stub = stubFetch(tooMany("5"), ok());
    const client = createPingbackClient({ apiKey, fetch: stub.fetch, timeoutMs: 2_000 });
    const result = await get(client);
    expect(result.response.status).toBe(429);
    expect(stub.requests).toHaveLength(1);
    expect(() => orThrow(result)).toThrow(
      /failed with 429: slow down — not retried: waiting 5000 ms, more than the deadline leaves \(\d+ ms\)$/,
    );
  });

  test("a Retry-After above maxRetryAfterMs: the 429 comes back and says so; later calls do not sit out the pause", async () => {
    const stub = stubFetch(tooMany("60"), ok());
    const client = createPingbackClient({
      apiKey,
      fetch: stub.fetch,
      retry: { maxRetryAfterMs: 1_000 },
    });
    const result = await get(client);
    expect(() => orThrow(result)).toThrow(
      "not retried: Retry-After asks 60000 ms, more than maxRetryAfterMs (1000 ms)",
    );
    expect(orThrow.bind(null, result)).toThrow(
      expect.objectContaining({
        headers: { "content-type": "application/json", "retry-after": "60" },
      }),
    );
    const started = Date.now();
    const later = await get(client).catch((error: unknown) => error);
    expect(Date.now() - started).toBe(0);
    expect(later).toBeInstanceOf(PingbackTimeoutError);
    expect(later).toMatchObject({ phase: "queue" });
    expect((later as Error).message).toMatch(
      /^GET \/contacts\/\{email\} gave up waiting for the rate limit: the API's Retry-After pauses calls 60000 ms more, more than maxRetryAfterMs \(1000 ms\)\.$/,
    );
    expect(stub.requests).toHaveLength(1);
  });
});

describe("network errors", () => {
  test("a fetch that throws becomes PingbackNetworkError, with the original as cause", async () => {
    const cause = new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    const stub = stubFetch(cause);
    const client = createPingbackClient({ apiKey, fetch: stub.fetch, retry: false });
    const error = await get(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PingbackNetworkError);
    expect(error).toMatchObject({
      message: expect.stringMatching(
        /^GET \/contacts\/\{email\} got no response from connect\.pingback\.com: fetch failed \(ECONNREFUSED\)$/,
      ),
      operation: "GET /contacts/{email}",
      cause,
    });
  });
});

describe("rate limit through the client", () => {
  test("a burst of 5 GETs leaves at 0, 200, 400, 600, 800 ms: one token of the burst is slack", async () => {
    const sentAt: number[] = [];
    const client = createPingbackClient({
      apiKey,
      fetch: async () => {
        sentAt.push(performance.now());
        return ok();
      },
    });
    const start = performance.now();
    const calls = Promise.all(Array.from({ length: 5 }, () => get(client)));
    await vi.advanceTimersByTimeAsync(1_000);
    await calls;
    expect(sentAt.map((t) => t - start)).toEqual([0, 200, 400, 600, 800]);
  });

  test("paginate's pages wait for the limiter like any call", async () => {
    const sentAt: number[] = [];
    const client = createPingbackClient({
      apiKey,
      fetch: async (request) => {
        sentAt.push(performance.now());
        const page = Number(new URL(request.url).searchParams.get("page"));
        const data = [{ id: `${page}`, email: `c${page}@x.com` }];
        return Response.json({ message: "Contacts found", data: { page, total: 4, data } });
      },
    });
    const start = performance.now();
    const items: unknown[] = [];
    const done = (async () => {
      for await (const contact of client.paginate("/contacts")) items.push(contact);
    })();
    await vi.advanceTimersByTimeAsync(1_000);
    await done;
    expect(items).toHaveLength(4);
    expect(sentAt.map((t) => t - start)).toEqual([0, 200, 400, 600]);
  });

  test("rateLimit: false sends everything at once", async () => {
    const stub = stubFetch(ok());
    const client = createPingbackClient({ apiKey, fetch: stub.fetch, rateLimit: false });
    await Promise.all(Array.from({ length: 20 }, () => get(client)));
    expect(stub.requests).toHaveLength(20);
  });

  test("a caller's abort while queued rejects and sends nothing", async () => {
    const stub = stubFetch(ok());
    const client = createPingbackClient({ apiKey, fetch: stub.fetch, rateLimit: { reserve: 0 } });
    await Promise.all([get(client), get(client)]);
    const controller = new AbortController();
    const queued = get(client, { signal: controller.signal });
    controller.abort(new Error("not needed"));
    await expect(queued).rejects.toMatchObject({
      name: "PingbackAbortError",
      phase: "queue",
      cause: new Error("not needed"),
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(stub.requests).toHaveLength(2);
  });
});
