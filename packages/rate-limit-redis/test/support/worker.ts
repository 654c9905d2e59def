/**
 * One real process of an account, as the tests and the benchmark start several of them:
 * `node --import tsx worker.ts '<json WorkerTask>'`. It connects, prints "ready", waits for a line
 * on stdin ("go") so that every process starts together, then:
 *
 * - calls: sends `calls` creates through a client (retries off), prints one JSON line of results;
 * - hold: takes one slot from the store, prints "held", and never gives it back (to be SIGKILLed).
 */
import { createPingbackClient, type RateLimitStore } from "@pingback/client";
import { createClient } from "redis";
import { createRedisRateLimitStore } from "../../src/index.js";

export interface WorkerTask {
  mode: "calls" | "hold";
  /** "redis": the shared store; "local": the client's own limiter (the comparison). */
  limiter: "redis" | "local";
  redisUrl: string;
  apiKey: string;
  baseUrl?: string;
  calls?: number;
  leaseMs?: number;
  /** The local limiter's `reserve` (default: the client's, 1). */
  reserve?: number;
}

export interface WorkerResult {
  statuses: number[];
  /** When the first call was made and the last answer came (ms since the epoch). */
  startedAt: number;
  endedAt: number;
}

const task = JSON.parse(process.argv[2] ?? "{}") as WorkerTask;
const redis = createClient({ url: task.redisUrl });
redis.on("error", () => {}); // a stopped server is reported by the store, not as a crash
await redis.connect();
const store: RateLimitStore = createRedisRateLimitStore({
  redis,
  apiKey: task.apiKey,
  leaseMs: task.leaseMs,
});

process.stdout.write("ready\n");
await new Promise((resolve) => process.stdin.once("data", resolve));

if (task.mode === "hold") {
  await store.acquire();
  process.stdout.write("held\n");
  setInterval(() => {}, 60_000); // hold the slot until killed
} else {
  const client = createPingbackClient({
    apiKey: task.apiKey,
    baseUrl: task.baseUrl,
    retry: false,
    rateLimit: task.limiter === "redis" ? { store } : { reserve: task.reserve },
  });
  const startedAt = Date.now();
  const results = await Promise.all(
    Array.from({ length: task.calls ?? 1 }, (_, i) =>
      client.POST("/contacts", { body: { email: `p${process.pid}-${i}@example.com` } }),
    ),
  );
  const result: WorkerResult = {
    statuses: results.map((r) => r.response.status),
    startedAt,
    endedAt: Date.now(),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await redis.quit();
  process.exit(0);
}
