/**
 * When Redis fails: a stopped server (SIGSTOP: every command hangs) and a dead one (SIGKILL: the
 * connection is gone). Without a fallback, the first failed call refuses every waiting call at
 * once, and later calls at once, with an error naming the store, until a probe of the store's own
 * finds Redis again; with the fallback, the process keeps to its share, says so, and returns to
 * the shared limit once Redis answers again. The test with real processes is in processes.test.ts.
 */
import { createClient } from "redis";
import { afterEach, beforeEach, expect, test } from "vitest";
import {
  createRedisRateLimitStore,
  type RedisRateLimitStore,
  RedisRateLimitStoreError,
} from "../src/index.js";
import { type RedisServer, startRedis } from "./support/redis-server.js";

let server: RedisServer;
let redis: ReturnType<typeof createClient>;
let store: RedisRateLimitStore | undefined;
beforeEach(async () => {
  server = await startRedis();
  // node-redis queues commands while it reconnects: only the store's own timeout bounds them.
  redis = createClient({ url: server.url, socket: { reconnectStrategy: 100 } });
  redis.on("error", () => {});
  await redis.connect();
});
afterEach(async () => {
  if (server.process.signalCode === null) server.process.kill("SIGCONT");
  await store?.close();
  redis.destroy();
  await server.stop();
});

const apiKey = "sk_live_failure_secret";
const settled = (promise: Promise<unknown>) =>
  promise.then(
    () => "granted",
    (error: unknown) => error,
  );

test("a Redis that does not answer: the call is refused with an error naming the store, within the timeout", async () => {
  store = createRedisRateLimitStore({ redis, apiKey, commandTimeoutMs: 300 });
  (await store.acquire())();
  server.process.kill("SIGSTOP");
  const error = await store.acquire().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RedisRateLimitStoreError);
  expect((error as Error).message).toMatch(
    /^@pingback\/rate-limit-redis: Redis did not answer a (release|slot request) within 300 ms\. .*set `fallback: true`/,
  );
  expect((error as Error).message).not.toContain(apiKey);
});

test("a Redis that is gone: the same error, not a hang", async () => {
  store = createRedisRateLimitStore({ redis, apiKey, commandTimeoutMs: 300 });
  server.process.kill("SIGKILL");
  await expect(store.acquire()).rejects.toThrow(/^@pingback\/rate-limit-redis: Redis/);
});

test("Redis killed with 50 calls in line: all are refused together, within the timeout of the failure", async () => {
  store = createRedisRateLimitStore({ redis, apiKey, commandTimeoutMs: 300 });
  const held = [await store.acquire(), await store.acquire()]; // both slots: the rest wait in line
  const calls = Array.from({ length: 50 }, () => settled(store?.acquire() as Promise<unknown>));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const killedAt = performance.now();
  server.process.kill("SIGKILL");
  // A release is the first call to fail here; the store's own connection noticed already.
  for (const release of held) release();
  const outcomes = await Promise.all(
    calls.map((call) => call.then((outcome) => ({ outcome, at: performance.now() - killedAt }))),
  );
  expect(outcomes.every(({ outcome }) => outcome instanceof RedisRateLimitStoreError)).toBe(true);
  const times = outcomes.map(({ at }) => at);
  // Together: the first and the last refusal in the same moment, not one per timeout.
  expect(Math.max(...times) - Math.min(...times)).toBeLessThan(100);
  // A new call is refused at once, without waiting for another timeout.
  const start = performance.now();
  await expect(store.acquire()).rejects.toThrow(RedisRateLimitStoreError);
  expect(performance.now() - start).toBeLessThan(100);
});

test("after a failure the store probes Redis by itself: calls are granted again once it answers", async () => {
  store = createRedisRateLimitStore({ redis, apiKey, commandTimeoutMs: 200 });
  server.process.kill("SIGSTOP");
  await expect(store.acquire()).rejects.toThrow(RedisRateLimitStoreError);
  await expect(store.acquire()).rejects.toThrow(RedisRateLimitStoreError); // still down
  server.process.kill("SIGCONT");
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // a few probes of 200 ms
  (await store.acquire())();
});

test("with the fallback: the process's share while Redis fails, with a warning, and Redis again once it answers", async () => {
  const events: { active: boolean; error?: Error }[] = [];
  store = createRedisRateLimitStore({
    redis,
    apiKey,
    commandTimeoutMs: 200,
    requestsPerSecond: 20,
    fallback: true,
    onFallback: (event) => events.push(event),
  });
  (await store.acquire())(); // Redis has counted this process: its share is the whole account
  server.process.kill("SIGSTOP");
  const grantedAt: number[] = [];
  const start = performance.now();
  for (let i = 0; i < 4; i++) {
    (await store.acquire())();
    grantedAt.push(performance.now() - start);
  }
  expect(events).toHaveLength(1);
  expect(events[0]?.active).toBe(true);
  expect(events[0]?.error?.message).toMatch(
    /did not answer a (release|slot request) within 200 ms/,
  );
  // One slot per interval (50 ms at 20/s), as the shared limit would.
  expect((grantedAt[3] ?? 0) - (grantedAt[0] ?? 0)).toBeGreaterThanOrEqual(3 * 50 - 5);
  server.process.kill("SIGCONT");
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // the probe finds Redis again
  (await store.acquire())();
  expect(events.map((e) => e.active)).toEqual([true, false]);
});

test("with the fallback, a process that never reached Redis has no share: refused, not a guess", async () => {
  store = createRedisRateLimitStore({
    redis,
    apiKey,
    commandTimeoutMs: 200,
    fallback: true,
    onFallback: () => {},
  });
  server.process.kill("SIGSTOP");
  await expect(store.acquire()).rejects.toThrow(/has not reached Redis yet, so it has no share/);
});
