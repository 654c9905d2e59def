/**
 * Several real Node processes of one account share the store in a real redis-server, against a
 * real HTTP server that enforces the API's limit (5/s, burst 2, 2 in flight) on arrival, after
 * 0–150 ms of random transit delay. Counts are asserted, never times; the benchmark prints those.
 */
import { createHash } from "node:crypto";
import { createClient } from "redis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type LimitServer, startLimitServer } from "../../client/test/support/limit-server.js";
import { createRedisRateLimitStore } from "../src/index.js";
import { runTogether, startWorker } from "./support/processes.js";
import { type RedisServer, startRedis } from "./support/redis-server.js";

let redis: RedisServer;
let server: LimitServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

test("4 processes × 25 creates through the store: at most one 429 in all", async () => {
  server = await startLimitServer({ jitterMs: 150 });
  const base = { mode: "calls", redisUrl: redis.url, apiKey: "sk_live_shared", calls: 25 } as const;
  const results = await runTogether(4, { ...base, limiter: "redis", baseUrl: server.baseUrl });
  const statuses = results.flatMap((r) => r.statuses);
  expect(statuses).toHaveLength(100);
  expect(server.answers).toHaveLength(100);
  expect(server.count(429)).toBeLessThanOrEqual(1);
  await server.close();
}, 240_000); // about 20 s on an idle machine; process start-up alone is slow on a loaded one

test("4 processes × 10 creates, each with its own limiter, are refused again and again", async () => {
  // The control: the server does enforce the account's limit, and local limiters cannot keep to
  // it (the benchmark runs the full 4 × 25; 10 each is enough to show it, and quicker).
  server = await startLimitServer({ jitterMs: 150 });
  const base = { mode: "calls", redisUrl: redis.url, apiKey: "sk_live_local", calls: 10 } as const;
  await runTogether(4, { ...base, limiter: "local", baseUrl: server.baseUrl });
  expect(server.answers).toHaveLength(40);
  expect(server.count(429)).toBeGreaterThan(5);
  await server.close();
}, 180_000);

test("processes killed while holding both slots block the others until their leases expire, no longer", async () => {
  const apiKey = "sk_live_killed";
  const leaseMs = 1_500;
  const holders = [1, 2].map(() =>
    startWorker({ mode: "hold", limiter: "redis", redisUrl: redis.url, apiKey, leaseMs }),
  );
  await Promise.all(holders.map((h) => h.line((l) => l === "ready")));
  for (const h of holders) h.go();
  await Promise.all(holders.map((h) => h.line((l) => l === "held")));
  for (const h of holders) h.child.kill("SIGKILL");

  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    const hash = createHash("sha256").update(apiKey).digest("hex").slice(0, 32);
    const leases = await client.zRangeWithScores(`pingback:rate-limit:{${hash}}:leases`, 0, -1);
    expect(leases).toHaveLength(2);
    const firstExpiry = Math.min(...leases.map((l) => l.score));

    const store = createRedisRateLimitStore({ redis: client, apiKey, leaseMs });
    const redisNow = async () => {
      const [seconds, micros] = (await client.sendCommand(["TIME"])) as [string, string];
      return Number(seconds) * 1000 + Number(micros) / 1000;
    };
    const askedAt = await redisNow();
    const release = await store.acquire();
    const grantedAt = await redisNow();
    release();
    // Redis's own clock throughout: the slot came only once a dead lease had expired, and within
    // a few polls of that (or of asking, if the lease had expired already). 5 s of margin for a
    // loaded machine, far below the default lease of 31 s.
    expect(grantedAt).toBeGreaterThanOrEqual(firstExpiry - 1);
    expect(grantedAt).toBeLessThan(Math.max(firstExpiry, askedAt) + 5_000);
  } finally {
    await client.quit();
  }
}, 180_000);
