/**
 * One real process of an account, as the tests and the benchmark start several of them:
 * `node --import tsx worker.ts '<json WorkerTask>'`. It connects (as the README shows: an error
 * listener, then connect), prints "ready", waits for a line on stdin ("go") so that every process
 * starts together, then:
 *
 * - calls: sends `calls` creates through a client (retries off), prints one JSON line of results,
 *   and ends as the README shows (`await store.close()`, then the connection destroyed), or with
 *   `end: "exit"` by `process.exit()` right after its last call, closing nothing;
 * - hold: takes one slot from the store, prints "held", and never gives it back (to be SIGKILLed).
 */
import { createPingbackClient, type RateLimitStore } from "@pingback/client";
import { createClient } from "redis";
import { createRedisRateLimitStore, type RedisRateLimitStore } from "../../src/index.js";

export interface WorkerTask {
  mode: "calls" | "hold";
  /** "redis": the shared store; "local": the client's own limiter (the comparison). */
  limiter: "redis" | "local";
  redisUrl: string;
  apiKey: string;
  baseUrl?: string;
  calls?: number;
  leaseMs?: number;
  /** The store's fallback while Redis fails. */
  fallback?: boolean;
  /** The local limiter's `reserve` (default: the client's, 1). */
  reserve?: number;
  /** How the process ends after its calls (default "close"). */
  end?: "close" | "exit";
}

export interface WorkerResult {
  /** Each call's status, or 0 when it was not sent (its error's name is in `errors`). */
  statuses: number[];
  errors: string[];
  /** When each call settled (ms since the epoch). */
  settledAt: number[];
  /** When the first call was made and the last answer came (ms since the epoch). */
  startedAt: number;
  endedAt: number;
}

const task = JSON.parse(process.argv[2] ?? "{}") as WorkerTask;
const redis = createClient({ url: task.redisUrl });
redis.on("error", () => {}); // a lost server is reported by the store's calls, not as a crash
await redis.connect();
const store: RedisRateLimitStore = createRedisRateLimitStore({
  redis,
  apiKey: task.apiKey,
  leaseMs: task.leaseMs,
  fallback: task.fallback,
  onFallback: () => {},
});

process.stdout.write("ready\n");
await new Promise((resolve) => process.stdin.once("data", resolve));
process.stdin.pause(); // nothing more to read: the process may end once its work is done

if (task.mode === "hold") {
  await store.acquire();
  process.stdout.write("held\n");
  setInterval(() => {}, 60_000); // hold the slot until killed
} else {
  const client = createPingbackClient({
    apiKey: task.apiKey,
    baseUrl: task.baseUrl,
    retry: false,
    rateLimit:
      task.limiter === "redis" ? { store: store as RateLimitStore } : { reserve: task.reserve },
  });
  const startedAt = Date.now();
  const outcomes = await Promise.all(
    Array.from({ length: task.calls ?? 1 }, (_, i) =>
      client.POST("/contacts", { body: { email: `p${process.pid}-${i}@example.com` } }).then(
        (r) => ({ status: r.response.status, error: "", at: Date.now() }),
        (e: Error) => ({ status: 0, error: e.name, at: Date.now() }),
      ),
    ),
  );
  const result: WorkerResult = {
    statuses: outcomes.map((o) => o.status),
    errors: outcomes.map((o) => o.error),
    settledAt: outcomes.map((o) => o.at),
    startedAt,
    endedAt: Math.max(...outcomes.map((o) => o.at)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (task.end === "exit") process.exit(0);
  await store.close();
  redis.destroy();
}
