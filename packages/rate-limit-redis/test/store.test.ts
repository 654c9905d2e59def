/**
 * The store against a real redis-server, through every client version the README claims
 * (node-redis 4, 5 and 6, ioredis 5 and 6): pacing, the in-flight cap, leases, first come first
 * served, grants pushed to waiters, keys, NOSCRIPT, a 429's pause, aborts and bad options.
 * Times are only ever lower bounds (a loaded machine can only make waits longer).
 */
import { createHash } from "node:crypto";
import {
  type RateLimitStore as ClientRateLimitStore,
  createPingbackClient,
} from "@pingback/client";
import { Redis as IoRedis } from "ioredis";
import { Redis as IoRedis5 } from "ioredis-5";
import { createClient } from "redis";
import { createClient as createClient4 } from "redis-4";
import { createClient as createClient5 } from "redis-5";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import {
  createRedisRateLimitStore,
  type RedisConnection,
  type RedisRateLimitStore,
} from "../src/index.js";
import { type RedisServer, startRedis } from "./support/redis-server.js";

let server: RedisServer;
let nodeRedis: ReturnType<typeof createClient>;
let ioRedis: IoRedis;
let others: { library: string; redis: RedisConnection; end(): unknown }[] = [];
beforeAll(async () => {
  server = await startRedis();
  nodeRedis = createClient({ url: server.url });
  await nodeRedis.connect();
  ioRedis = new IoRedis(server.port, "127.0.0.1");
  const redis4 = createClient4({ url: server.url });
  await redis4.connect();
  const redis5 = createClient5({ url: server.url });
  await redis5.connect();
  const ioRedis5 = new IoRedis5(server.port, "127.0.0.1");
  others = [
    { library: "node-redis 4", redis: redis4, end: () => redis4.disconnect() },
    { library: "node-redis 5", redis: redis5, end: () => redis5.destroy() },
    { library: "ioredis 5", redis: ioRedis5, end: () => ioRedis5.disconnect() },
  ];
});
afterAll(async () => {
  nodeRedis?.destroy();
  ioRedis?.disconnect();
  for (const other of others) await other.end();
  await server?.stop();
});

// Every store made by a test is closed after it, as a user ends with one.
const stores: RedisRateLimitStore[] = [];
const track = (store: RedisRateLimitStore) => {
  stores.push(store);
  return store;
};
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

let accounts = 0;
const newAccount = () => `sk_live_store_${++accounts}`;

const byName = (library: string) => () =>
  others.find((o) => o.library === library)?.redis as RedisConnection;
describe.each([
  { library: "node-redis 6", redis: () => nodeRedis as RedisConnection },
  { library: "ioredis 6", redis: () => ioRedis as RedisConnection },
  { library: "node-redis 4", redis: byName("node-redis 4") },
  { library: "node-redis 5", redis: byName("node-redis 5") },
  { library: "ioredis 5", redis: byName("ioredis 5") },
])("through $library", ({ redis }) => {
  test("waiters in two stores (two processes) are granted first come, first served, by push", async () => {
    const apiKey = newAccount();
    const fast = { requestsPerSecond: 1_000, maxInFlight: 1 };
    const a = track(createRedisRateLimitStore({ redis: redis(), apiKey, ...fast }));
    const b = track(createRedisRateLimitStore({ redis: redis(), apiKey, ...fast }));
    const held = await a.acquire();
    const order: string[] = [];
    const line = [b, a, b, a].map(async (store, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 20)); // in this order, into the line
      const release = await store.acquire();
      order.push(`${store === a ? "a" : "b"}${i}`);
      release();
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(order).toEqual([]); // one slot in flight, held
    held();
    await Promise.all(line);
    expect(order).toEqual(["b0", "a1", "b2", "a3"]);
  });

  test("grants one slot per interval: 4 slots at 20/s take at least 3 intervals", async () => {
    const store = track(
      createRedisRateLimitStore({
        redis: redis(),
        apiKey: newAccount(),
        requestsPerSecond: 20,
      }),
    );
    const grantedAt: number[] = [];
    const start = performance.now();
    for (let i = 0; i < 4; i++) {
      const release = await store.acquire();
      grantedAt.push(performance.now() - start);
      release();
    }
    // The store spaces grants on Redis's clock; seen from here, each gap also carries the jitter of
    // one round trip, so the span of three intervals is what can be asserted (less 10 ms of it).
    expect((grantedAt[3] ?? 0) - (grantedAt[0] ?? 0)).toBeGreaterThanOrEqual(3 * 50 - 10);
  });

  test("at most maxInFlight slots are taken at once; a release lets the next one in", async () => {
    const store = track(
      createRedisRateLimitStore({
        redis: redis(),
        apiKey: newAccount(),
        requestsPerSecond: 1_000,
        burst: 10,
      }),
    );
    const first = await store.acquire();
    await store.acquire();
    let third = false;
    const pending = store.acquire().then((release) => {
      third = true;
      return release;
    });
    await new Promise((resolve) => setTimeout(resolve, 200)); // several polls of the store
    expect(third).toBe(false);
    first();
    (await pending)();
    expect(third).toBe(true);
  });

  test("a slot is held while its process lives (renewed past leaseMs), and close() gives it back", async () => {
    const apiKey = newAccount();
    const short = { leaseMs: 300, commandTimeoutMs: 100, maxInFlight: 1, requestsPerSecond: 1_000 };
    const holder = createRedisRateLimitStore({ redis: redis(), apiKey, ...short });
    const other = track(createRedisRateLimitStore({ redis: redis(), apiKey, ...short }));
    await holder.acquire(); // never released: a request still open
    let granted = false;
    const pending = other.acquire().then((release) => {
      granted = true;
      return release;
    });
    await new Promise((resolve) => setTimeout(resolve, 900)); // three leases' worth of renewals
    expect(granted).toBe(false);
    await holder.close();
    (await pending)();
    expect(granted).toBe(true);
  });

  test("a 429 with Retry-After holds the account's next slot back until then", async () => {
    const store = track(createRedisRateLimitStore({ redis: redis(), apiKey: newAccount() }));
    (await store.acquire())();
    store.throttled(600);
    const start = performance.now();
    (await store.acquire())();
    expect(performance.now() - start).toBeGreaterThanOrEqual(550);
  });

  test("an abort while waiting rejects with the signal's reason; the next caller still gets a slot", async () => {
    const store = track(createRedisRateLimitStore({ redis: redis(), apiKey: newAccount() }));
    (await store.acquire())();
    store.throttled(500);
    const controller = new AbortController();
    const aborted = store.acquire(controller.signal);
    const next = store.acquire();
    controller.abort(new Error("caller gave up"));
    await expect(aborted).rejects.toThrow("caller gave up");
    (await next)();
  });

  test("the script is loaded again after SCRIPT FLUSH (NOSCRIPT falls back to EVAL)", async () => {
    const store = track(createRedisRateLimitStore({ redis: redis(), apiKey: newAccount() }));
    (await store.acquire())();
    await nodeRedis.sendCommand(["SCRIPT", "FLUSH"]);
    (await store.acquire())();
  });
});

describe("Redis calls", () => {
  test("a slot costs two script runs (its request and its release), however many wait, in however many processes", async () => {
    const apiKey = newAccount();
    const fast = { requestsPerSecond: 1_000, maxInFlight: 1 };
    const stores = [1, 2, 3].map(() =>
      track(createRedisRateLimitStore({ redis: nodeRedis, apiKey, ...fast })),
    );
    // Their own connections subscribe to the account's channel (else waiters would poll).
    const hash = createHash("sha256").update(apiKey).digest("hex").slice(0, 32);
    const channel = `pingback:rate-limit:{${hash}}:grants`;
    const subscribers = async () =>
      ((await nodeRedis.sendCommand(["PUBSUB", "NUMSUB", channel])) as [string, number])[1];
    while ((await subscribers()) < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    const runs = async () => {
      const info = await nodeRedis.info("commandstats");
      return [...info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce(
        (sum, m) => sum + Number(m[1]),
        0,
      );
    };
    (await stores[0]?.acquire())?.(); // the script is loaded
    await new Promise((resolve) => setTimeout(resolve, 50)); // and that release has run
    const before = await runs();
    // 3 "processes" × 10 calls, all asked at once: 29 of them wait in the line.
    await Promise.all(
      stores.flatMap((store) =>
        Array.from({ length: 10 }, async () => {
          const release = await store.acquire();
          await new Promise((resolve) => setTimeout(resolve, 5));
          release();
        }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 50)); // the last releases reach Redis
    expect((await runs()) - before).toBe(2 * 30);
  });
});

describe("the account's channel", () => {
  test("a grant message carries the live processes only when they changed since the last one that did (a join, a leave, the state lost)", async () => {
    const apiKey = newAccount();
    const fast = { requestsPerSecond: 1_000, maxInFlight: 2 };
    const hash = createHash("sha256").update(apiKey).digest("hex").slice(0, 32);
    const key = (name: string) => `pingback:rate-limit:{${hash}}:${name}`;
    // A raw subscriber: what every process of the account hears.
    const messages: string[] = [];
    const listener = nodeRedis.duplicate();
    await listener.connect();
    await listener.subscribe(key("grants"), (message) => {
      messages.push(message);
    });
    const heard = async (count: number) => {
      while (messages.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const live = () => nodeRedis.zRange(key("procs"), 0, -1);
    const name = new Map<string, string>();
    // Which process each id is: the one that just joined.
    const joined = async (label: string) => {
      for (const id of await live()) if (!name.has(id)) name.set(id, label);
    };
    const [s, a, b, c] = [1, 2, 3, 4].map(() =>
      track(createRedisRateLimitStore({ redis: nodeRedis, apiKey, ...fast })),
    ) as [RedisRateLimitStore, RedisRateLimitStore, RedisRateLimitStore, RedisRateLimitStore];
    try {
      const held = await s.acquire(); // s holds a slot throughout: it stays live
      await joined("s");
      const releaseA = await a.acquire(); // both slots taken
      await joined("a");
      const waitB = b.acquire(); // b waits, heads the line: a message
      await heard(1);
      await joined("b");
      releaseA(); // b is granted; a leaves (it holds nothing, waits for nothing)
      let releaseB = await waitB;
      await heard(2);
      for (let i = 0; i < 3; i++) {
        // b waits again and is granted again: the live processes stay b and s.
        const next = b.acquire();
        await heard(messages.length + 1);
        releaseB();
        releaseB = await next;
      }
      await heard(8);
      const waitB2 = b.acquire(); // heads the line (a message)
      await heard(9);
      const waitC = c.acquire(); // behind it: c joins in a run that publishes nothing
      while ((await nodeRedis.zCard(key("line"))) < 2) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await joined("c");
      releaseB(); // b is granted again: the next message tells of c
      const releaseB2 = await waitB2;
      await heard(10);
      releaseB2(); // c is granted; b leaves
      let releaseC = await waitC;
      await heard(11);
      const waitC2 = c.acquire(); // heads the line (a message)
      await heard(12);
      await nodeRedis.del(key("state")); // as if the state hash had expired
      releaseC();
      releaseC = await waitC2;
      await heard(13);
      releaseC();
      held();
      // Each message as <grantee> <live processes, or "=" when they are not in it>.
      const seen = messages.map((message) => {
        const fields = message.split(" ");
        expect(fields.length === 4 || fields.length === 6).toBe(true);
        const grantee = fields[0] === "-" ? "-" : name.get(fields[0]?.split(":")[0] ?? "");
        const procs = fields[4]?.split(",").map((id) => name.get(id) ?? id);
        return `${grantee} ${procs?.sort().join(",") ?? "="}`;
      });
      expect(seen).toEqual([
        "- a,b,s", // b heads the line: b has joined since the start
        "b b,s", // a has left
        ...["- =", "b =", "- =", "b =", "- =", "b ="], // nothing changed: the list is left out
        "- =",
        "b b,c,s", // c joined in a run that published nothing
        "c c,s", // b has left
        "- =",
        "c c,s", // the state hash was lost: told again
      ]);
    } finally {
      await listener.unsubscribe();
      listener.destroy();
    }
  });
});

describe("accounts", () => {
  test("keys are named by the SHA-256 of the API key; the key itself is nowhere in Redis", async () => {
    const apiKey = "sk_live_never_stored_0123456789";
    const store = track(createRedisRateLimitStore({ redis: nodeRedis, apiKey }));
    // Both slots held (leases, and this process among the live ones), a third call in line.
    const held = [await store.acquire(), await store.acquire()];
    const third = store.acquire();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const hash = createHash("sha256").update(apiKey).digest("hex").slice(0, 32);
    const keys = await nodeRedis.keys(`*{${hash}}*`);
    expect(keys.sort()).toEqual(
      ["leases", "line", "procs", "state"].map((k) => `pingback:rate-limit:{${hash}}:${k}`),
    );
    for (const release of held) release();
    (await third)();
    const everything = await nodeRedis.keys("*");
    expect(everything.some((k) => k.includes("sk_live"))).toBe(false);
    const dump = await Promise.all(keys.map((k) => nodeRedis.sendCommand(["DUMP", k])));
    expect(JSON.stringify(dump)).not.toContain(apiKey);
  });

  test("two stores of one account share its limit; another account has its own", async () => {
    const apiKey = newAccount();
    const a = track(
      createRedisRateLimitStore({
        redis: nodeRedis,
        apiKey,
        maxInFlight: 1,
        requestsPerSecond: 1_000,
      }),
    );
    const b = track(
      createRedisRateLimitStore({
        redis: ioRedis,
        apiKey,
        maxInFlight: 1,
        requestsPerSecond: 1_000,
      }),
    );
    const other = track(
      createRedisRateLimitStore({
        redis: nodeRedis,
        apiKey: newAccount(),
        maxInFlight: 1,
      }),
    );
    const held = await a.acquire();
    let bGranted = false;
    const pending = b.acquire().then((release) => {
      bGranted = true;
      return release;
    });
    (await other.acquire())(); // not blocked by the first account
    expect(bGranted).toBe(false);
    held();
    (await pending)();
  });
});

describe("options", () => {
  test.each([
    { given: { redis: {} }, want: /`redis` must be a node-redis client .* or an ioredis client/ },
    { given: { apiKey: "" }, want: /`apiKey` is missing or empty/ },
    { given: { maxInFlight: 1.5 }, want: /`maxInFlight` must be a whole number ≥ 1, got 1.5/ },
    { given: { reserve: 2 }, want: /`reserve` must leave a whole token of `burst` \(at most 1\)/ },
    { given: { leaseMs: 0 }, want: /`leaseMs` must be a finite number ≥ 1, got 0/ },
    {
      given: { leaseMs: 1_500 },
      want: /`leaseMs` must be more than twice `commandTimeoutMs` \(1000 ms\), got 1500/,
    },
    { given: { fallback: {} }, want: /`fallback` must be true .* or false/ },
  ])("$given is refused", ({ given, want }) => {
    const options = { redis: nodeRedis as RedisConnection, apiKey: "sk_x", ...given } as Parameters<
      typeof createRedisRateLimitStore
    >[0];
    expect(() => createRedisRateLimitStore(options)).toThrow(want);
  });
});

describe("the client's interface", () => {
  test("the store is a @pingback/client RateLimitStore, and the client takes it", () => {
    // A type check first (tsc --noEmit, in `pnpm lint`, fails if the shapes drift apart).
    const store: ClientRateLimitStore = createRedisRateLimitStore({
      redis: nodeRedis,
      apiKey: "sk_x",
    });
    expect(() => createPingbackClient({ apiKey: "sk_x", rateLimit: { store } })).not.toThrow();
  });
});
