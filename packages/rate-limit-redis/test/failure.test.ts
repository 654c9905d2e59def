/**
 * When Redis fails: a stopped server (SIGSTOP: every command hangs) and a dead one (SIGKILL: the
 * connection is gone). Without a fallback each call is refused with an error naming the store,
 * within the command timeout, and nothing is sent; with one, the process limits itself, says so,
 * and returns to the shared limit once Redis answers again.
 */
import { createLocalRateLimitStore } from "@pingback/client";
import { createClient } from "redis";
import { afterEach, beforeEach, expect, test } from "vitest";
import { createRedisRateLimitStore, RedisRateLimitStoreError } from "../src/index.js";
import { type RedisServer, startRedis } from "./support/redis-server.js";

let server: RedisServer;
let redis: ReturnType<typeof createClient>;
beforeEach(async () => {
  server = await startRedis();
  // node-redis queues commands while it reconnects: only the store's own timeout bounds them.
  redis = createClient({ url: server.url, socket: { reconnectStrategy: 100 } });
  redis.on("error", () => {});
  await redis.connect();
});
afterEach(async () => {
  if (server.process.signalCode === null) server.process.kill("SIGCONT");
  redis.destroy();
  await server.stop();
});

const apiKey = "sk_live_failure_secret";

test("a Redis that does not answer: the call is refused with an error naming the store, within the timeout", async () => {
  const store = createRedisRateLimitStore({ redis, apiKey, commandTimeoutMs: 300 });
  (await store.acquire())();
  server.process.kill("SIGSTOP");
  const error = await store.acquire().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RedisRateLimitStoreError);
  expect((error as Error).message).toMatch(
    /^@pingback\/rate-limit-redis: Redis did not answer a slot request within 300 ms\. .*set `fallback`/,
  );
  expect((error as Error).message).not.toContain(apiKey);
});

test("a Redis that is gone: the same error, not a hang", async () => {
  const store = createRedisRateLimitStore({ redis, apiKey, commandTimeoutMs: 300 });
  server.process.kill("SIGKILL");
  await expect(store.acquire()).rejects.toThrow(/^@pingback\/rate-limit-redis: Redis/);
});

test("with a fallback: the local limiter while Redis fails, with a warning, and Redis again once it answers", async () => {
  const events: { active: boolean; error?: Error }[] = [];
  const store = createRedisRateLimitStore({
    redis,
    apiKey,
    commandTimeoutMs: 200,
    fallback: createLocalRateLimitStore({ requestsPerSecond: 2.5 }),
    onFallback: (event) => events.push(event),
  });
  server.process.kill("SIGSTOP");
  (await store.acquire())();
  (await store.acquire())(); // within the fallback period: Redis is not asked again
  expect(events).toHaveLength(1);
  expect(events[0]?.active).toBe(true);
  expect(events[0]?.error?.message).toMatch(/did not answer a slot request within 200 ms/);
  server.process.kill("SIGCONT");
  await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the fallback period (5 × 200 ms)
  (await store.acquire())();
  expect(events.map((e) => e.active)).toEqual([true, false]);
});
