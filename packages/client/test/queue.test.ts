/**
 * A call waits for its first attempt's rate-limit slot before openapi-fetch builds its Request, so
 * a queued call holds its init, not a Request; the slot is handed to the transport, and goes back
 * exactly once whatever ends the call, even when openapi-fetch never reaches fetch.
 */
import type { Middleware } from "openapi-fetch";
import { afterEach, describe, expect, test } from "vitest";
import {
  createLocalRateLimitStore,
  createPingbackClient,
  orThrow,
  type RateLimitStore,
  type Release,
} from "../src/index.js";
import { sendJson, startServer, type TestServer } from "./support/server.js";
import { ok, stubFetch } from "./support/stub.js";

const apiKey = "sk_live_queue_secret";
const created = { message: "Contact created", data: { id: "c1", email: "a@b.com" } };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

test("200 creates queued at 1/s against a real server: openapi-fetch builds a Request only for each call whose turn came", async () => {
  server = await startServer((_, res) => sendJson(res, 201, created));
  const client = createPingbackClient({
    apiKey,
    baseUrl: server.baseUrl,
    rateLimit: { requestsPerSecond: 1 },
    retry: false,
    timeoutMs: 600_000,
  });
  // openapi-fetch hands every Request it builds to each middleware's onRequest, right after
  // building it (before fetch): counting those calls counts the Requests.
  let built = 0;
  client.use({
    onRequest() {
      built++;
      return undefined;
    },
  });
  const controller = new AbortController();
  const calls = Array.from({ length: 200 }, (_, i) =>
    client.POST("/contacts", { body: { email: `c${i}@x.com` }, signal: controller.signal }),
  );
  // One token at once, then one a second: the second create is answered after about 1 s.
  const answered = await Promise.all(calls.slice(0, 2));
  expect(answered.map((r) => r.response.status)).toEqual([201, 201]);
  const whileQueued = built;
  // The two answered, and at most one more whose turn came meanwhile; the rest still queued.
  expect(whileQueued).toBeGreaterThanOrEqual(2);
  expect(whileQueued).toBeLessThanOrEqual(3);

  controller.abort(new Error("import cancelled"));
  const rest = await Promise.allSettled(calls.slice(2));
  const abortedInQueue = rest.filter(
    (r) =>
      r.status === "rejected" &&
      r.reason.name === "PingbackAbortError" &&
      r.reason.phase === "queue",
  );
  expect(abortedInQueue).toHaveLength(200 - whileQueued);
  // Those never had a Request built, and none of them reached the server.
  expect(built).toBe(whileQueued);
  expect(server.seen.length).toBeLessThanOrEqual(whileQueued);
});

/**
 * The client's own limiter (one request in flight) behind a store that records each slot it
 * grants and how many times each is released. Without `tryAcquire`, every call waits in `acquire`.
 */
function countingStore(slotFree: boolean) {
  const local = createLocalRateLimitStore({
    requestsPerSecond: 1000,
    burst: 1000,
    maxInFlight: 1,
  }) as Required<RateLimitStore>;
  const releases: number[] = [];
  const track = (release: Release): Release => {
    const slot = releases.push(0) - 1;
    return () => {
      releases[slot] = (releases[slot] ?? 0) + 1;
      release();
    };
  };
  const store: RateLimitStore = {
    acquire: (signal) => local.acquire(signal).then(track),
    throttled: (ms) => local.throttled(ms),
    ...(slotFree && {
      tryAcquire() {
        const release = local.tryAcquire();
        return release && track(release);
      },
    }),
  };
  return { store, releases };
}

type Client = ReturnType<typeof createPingbackClient>;
const busy = () => Response.json({ error: "busy" }, { status: 503 });

const endings: {
  ending: string;
  answers?: (Response | Error)[];
  middleware?: Middleware;
  call: (client: Client) => Promise<unknown>;
  want: RegExp | number;
  sent: number;
}[] = [
  {
    ending: "an answer",
    call: (client) => client.GET("/contacts"),
    want: 200,
    sent: 1,
  },
  {
    ending: "a 503, then an answer to the retry",
    answers: [busy(), ok()],
    call: (client) => client.GET("/contacts"),
    want: 200,
    sent: 2,
  },
  {
    ending: "no answer (a network error)",
    answers: [new TypeError("fetch failed")],
    call: (client) => client.GET("/contacts", { retry: false }),
    want: /got no response/,
    sent: 1,
  },
  {
    ending: "the path serializer refusing a missing parameter (plain JS)",
    call: (client) => (client.GET as (path: string) => Promise<unknown>)("/contacts/{email}"),
    want: /Path parameter "email" is missing/,
    sent: 0,
  },
  {
    ending: "a body openapi-fetch cannot serialize",
    call: (client) =>
      client.POST("/contacts", { body: { email: "a@b.com", attributes: { n: 1n } as never } }),
    want: /BigInt/,
    sent: 0,
  },
  {
    ending: "a middleware that throws before fetch",
    middleware: {
      onRequest() {
        throw new Error("middleware refused");
      },
    },
    call: (client) => client.GET("/contacts"),
    want: /middleware refused/,
    sent: 0,
  },
  {
    ending: "a middleware that answers instead of fetch",
    middleware: { onRequest: () => Response.json({ message: "cached", data: [] }) },
    call: (client) => client.GET("/contacts"),
    want: 200,
    sent: 0,
  },
];

describe.each([
  { path: "with a slot free (tryAcquire)", slotFree: true },
  { path: "after waiting in the queue (acquire)", slotFree: false },
])("each slot goes back exactly once, $path", ({ slotFree }) => {
  test.each(endings)("$ending", async ({ answers = [ok()], middleware, call, want, sent }) => {
    const { store, releases } = countingStore(slotFree);
    const stub = stubFetch(...answers);
    const client = createPingbackClient({
      apiKey,
      fetch: stub.fetch,
      rateLimit: { store },
      retry: { baseDelayMs: 1, maxDelayMs: 1 },
    });
    if (middleware) client.use(middleware);
    const outcome = await call(client).then(
      (result) => (result as { response: Response }).response.status,
      (error: Error) => error.message,
    );
    if (typeof want === "number") expect(outcome).toBe(want);
    else expect(outcome).toMatch(want);
    expect(stub.requests).toHaveLength(sent);
    // One slot per attempt that reached openapi-fetch (at least the first), each released once.
    expect(releases).toEqual(Array(Math.max(sent, 1)).fill(1));
    // And the one slot in flight is free again: the next call goes through.
    if (middleware) client.eject(middleware);
    const next = await client.GET("/contacts", { fetch: stubFetch(ok()).fetch });
    expect(next.response.status).toBe(200);
  });
});

describe("a middleware that answers onRequest with a Request of its own", () => {
  const replacing: Middleware = {
    onRequest({ request }) {
      const headers = new Headers(request.headers);
      headers.set("x-signed", "yes");
      return new Request(request, { headers });
    },
  };

  test("the call goes on with its retries, deadline and operation; eject removes it", async () => {
    server = await startServer((_, res, index) =>
      index === 0 ? sendJson(res, 503, {}) : sendJson(res, 200, created),
    );
    const client = createPingbackClient({
      apiKey,
      baseUrl: server.baseUrl,
      retry: { baseDelayMs: 1 },
    });
    client.use(replacing);
    const { response } = await client.GET("/contacts/{email}", {
      params: { path: { email: "a@b.com" } },
    });
    expect(response.status).toBe(200);
    expect(server.seen.map((seen) => seen.headers["x-signed"])).toEqual(["yes", "yes"]);
    client.eject(replacing);
    await client.GET("/contacts/{email}", { params: { path: { email: "a@b.com" } } });
    expect(server.seen[2]?.headers["x-signed"]).toBeUndefined();
  });

  test("its failure is still named by the operation", async () => {
    server = await startServer((_, res) => sendJson(res, 404, {}));
    const client = createPingbackClient({ apiKey, baseUrl: server.baseUrl, retry: false });
    client.use(replacing);
    await expect(
      client.GET("/contacts/{email}", { params: { path: { email: "a@b.com" } } }).then(orThrow),
    ).rejects.toThrow("GET /contacts/{email} failed with 404");
  });
});
