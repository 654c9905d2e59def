/** `createRedisRateLimitStore`: the account's rate limit kept in Redis, shared by every process. */
import { type RedisConnection, type RunScript, scriptRunner } from "./connection.js";
import { SCRIPT } from "./script.js";

/** Gives back a slot. Calling it twice has no further effect. */
export type Release = () => void;

/**
 * The shape of `@pingback/client`'s `RateLimitStore`, declared here so that this package needs no
 * particular version of the client (a type test checks that the two agree).
 */
export interface RateLimitStore {
  acquire(signal?: AbortSignal | null): Promise<Release>;
  throttled(retryAfterMs?: number): void;
}

export interface RedisRateLimitStoreOptions {
  /** A connected node-redis or ioredis client; the store only runs one Lua script on it. */
  redis: RedisConnection;
  /** The account's API key: its SHA-256 names the account's keys in Redis; the key is not stored. */
  apiKey: string;
  /** Requests per second the API allows the account (default 5). */
  requestsPerSecond?: number | undefined;
  /** The API's burst (default 2). */
  burst?: number | undefined;
  /** Tokens of the burst never spent, left as slack for transit jitter (default 1). */
  reserve?: number | undefined;
  /** Requests of the account in flight at once, across every process (default 2). */
  maxInFlight?: number | undefined;
  /**
   * How long a slot stays taken if its process dies before giving it back (default 31000 ms:
   * the client's default `timeoutMs` plus a second). Keep it above the client's `timeoutMs`.
   */
  leaseMs?: number | undefined;
  /** How long one Redis call may take before the store gives up on it (default 1000 ms). */
  commandTimeoutMs?: number | undefined;
  /**
   * While Redis fails: `false` (default) rejects each call with `RedisRateLimitStoreError`; a
   * store, e.g. `createLocalRateLimitStore({ requestsPerSecond: 5 / N })` from `@pingback/client`
   * for N processes, limits this process alone instead, and Redis is asked again every
   * `commandTimeoutMs × 5`.
   */
  fallback?: RateLimitStore | false | undefined;
  /** Told when the store switches to the fallback and back (default: `console.warn`). */
  onFallback?: ((event: { active: boolean; error?: Error }) => void) | undefined;
  /** Prefix of the store's Redis keys (default `pingback:rate-limit`). */
  keyPrefix?: string | undefined;
}

/** Redis did not answer, or answered with an error: the account's limit cannot be checked. */
export class RedisRateLimitStoreError extends Error {
  override name = "RedisRateLimitStoreError";
}

const STORE = "@pingback/rate-limit-redis";
const RECOVERY_MS = 10_000;
/** How often a caller asks again while every slot in flight is leased (a release is not pushed). */
const IN_FLIGHT_POLL_MS = 20;

function refuse(option: string, why: string): never {
  throw new TypeError(`createRedisRateLimitStore: \`${option}\` ${why}`);
}

function amount(option: string, value: number, min: number, whole = false): number {
  if (!Number.isFinite(value) || value < min || (whole && value % 1 !== 0)) {
    refuse(option, `must be a ${whole ? "whole" : "finite"} number ≥ ${min}, got ${value}.`);
  }
  return value;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `promise`, or a `RedisRateLimitStoreError` after `ms`; a failure becomes one too. */
async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    const error = new RedisRateLimitStoreError(
      `${STORE}: Redis did not answer ${what} within ${ms} ms`,
    );
    // Timers run before I/O in an event loop turn: after a stall of the process, the answer may
    // be waiting unread. One more turn lets it in before the timeout is declared.
    timer = setTimeout(() => {
      timer = setTimeout(() => reject(error), 0);
    }, ms);
  });
  try {
    return await Promise.race([promise, late]);
  } catch (error) {
    if (error instanceof RedisRateLimitStoreError) throw error;
    throw new RedisRateLimitStoreError(
      `${STORE}: Redis failed ${what}: ${(error as Error)?.message}`,
      {
        cause: error,
      },
    );
  } finally {
    clearTimeout(timer);
  }
}

export function createRedisRateLimitStore(options: RedisRateLimitStoreOptions): RateLimitStore {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("createRedisRateLimitStore: pass an options object: { redis, apiKey }.");
  }
  const run: RunScript = scriptRunner(options.redis, SCRIPT);
  if (typeof options.apiKey !== "string" || options.apiKey.trim() === "") {
    refuse(
      "apiKey",
      "is missing or empty: pass the account's Pingback API key (only its hash is used).",
    );
  }
  const requestsPerSecond = amount(
    "requestsPerSecond",
    options.requestsPerSecond ?? 5,
    Number.MIN_VALUE,
  );
  const burst = amount("burst", options.burst ?? 2, 1);
  const reserve = amount("reserve", options.reserve ?? 1, 0);
  if (burst - reserve < 1)
    refuse(
      "reserve",
      `must leave a whole token of \`burst\` (at most ${burst - 1}), got ${reserve}.`,
    );
  const maxInFlight = amount("maxInFlight", options.maxInFlight ?? 2, 1, true);
  const leaseMs = amount("leaseMs", options.leaseMs ?? 31_000, 1);
  const commandTimeoutMs = amount("commandTimeoutMs", options.commandTimeoutMs ?? 1_000, 1);
  const fallback = options.fallback || undefined;
  if (
    fallback &&
    (typeof fallback.acquire !== "function" || typeof fallback.throttled !== "function")
  ) {
    refuse(
      "fallback",
      "must be a rate-limit store, e.g. `createLocalRateLimitStore(options)` from @pingback/client.",
    );
  }
  const onFallback =
    options.onFallback ??
    (({ active, error }) =>
      console.warn(
        active
          ? `${STORE}: ${error?.message}; limiting this process alone (the fallback) until Redis answers again.`
          : `${STORE}: Redis answers again; the account's shared limit is back.`,
      ));
  const prefix = options.keyPrefix ?? "pingback:rate-limit";
  // One hash tag, so that both keys live on one node of a Redis Cluster.
  const keys = sha256(options.apiKey).then((hash) => {
    const account = `${prefix}:{${hash.slice(0, 32)}}`;
    return [`${account}:state`, `${account}:leases`];
  });
  const args = (op: string, leaseId = "", retryAfterMs = 0) =>
    [
      op,
      1000 / requestsPerSecond,
      burst - reserve,
      maxInFlight,
      leaseMs,
      RECOVERY_MS,
      leaseId,
      retryAfterMs,
    ].map(String);
  const call = async (what: string, op: string, leaseId?: string, retryAfterMs?: number) =>
    bounded(run(await keys, args(op, leaseId, retryAfterMs)), commandTimeoutMs, what) as Promise<
      number[]
    >;

  // While Redis fails with a fallback configured: until when the fallback is used without asking.
  let fallbackUntil: number | undefined;
  // The process's callers take turns, first-in first-out; only the one whose turn it is asks Redis.
  let tail: Promise<void> = Promise.resolve();

  async function takeFromRedis(signal?: AbortSignal | null): Promise<Release> {
    const leaseId = crypto.randomUUID();
    for (;;) {
      const [granted, waitMs = 0, why] = await call("a slot request", "acquire", leaseId).catch(
        (error: unknown) => {
          // A request that timed out may still run once Redis wakes up: the release queued behind
          // it on the same connection gives its slot back instead of leaving it to expire.
          call("a release", "release", leaseId).catch(() => {});
          throw error;
        },
      );
      if (granted === 1) {
        let released = false;
        return () => {
          if (released) return;
          released = true;
          // Fire and forget: if it fails, the lease expires by itself.
          call("a release", "release", leaseId).catch(() => {});
        };
      }
      await sleep(why === 2 ? Math.min(waitMs, IN_FLIGHT_POLL_MS) : Math.max(1, waitMs), signal);
    }
  }

  async function take(signal?: AbortSignal | null): Promise<Release> {
    if (fallback && fallbackUntil !== undefined && performance.now() < fallbackUntil) {
      return fallback.acquire(signal);
    }
    try {
      const release = await takeFromRedis(signal);
      if (fallbackUntil !== undefined) {
        fallbackUntil = undefined;
        onFallback({ active: false });
      }
      return release;
    } catch (error) {
      if (!(error instanceof RedisRateLimitStoreError)) throw error; // the caller's abort
      if (!fallback) {
        throw new RedisRateLimitStoreError(
          `${error.message}. The account's rate limit cannot be checked, so the request was not sent: check the Redis connection, or set \`fallback\` to limit each process alone meanwhile.`,
          { cause: error.cause },
        );
      }
      if (fallbackUntil === undefined) onFallback({ active: true, error });
      fallbackUntil = performance.now() + commandTimeoutMs * 5;
      return fallback.acquire(signal);
    }
  }

  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      const previous = tail;
      let done = () => {};
      tail = new Promise((resolve) => {
        done = resolve;
      });
      const turn = new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal?.reason);
        signal?.addEventListener("abort", onAbort, { once: true });
        previous.then(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        });
      });
      // An aborted caller leaves the line at once, but the next one still waits for the one before.
      return turn.then(() => take(signal)).finally(() => previous.then(done));
    },
    throttled(retryAfterMs) {
      fallback?.throttled(retryAfterMs);
      call("a 429 report", "throttled", "", retryAfterMs ?? 0).catch(() => {});
    },
  };
}
