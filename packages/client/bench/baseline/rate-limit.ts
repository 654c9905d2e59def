/**
 * The limiter as it was before the O(1) queue (main at 4207fc2, src/rate-limit.ts), kept only as
 * the baseline of `pnpm bench:queue`: a timer per waiter that woke at every token and scanned the
 * whole queue. Not part of the package.
 */
import {
  type RateLimitOptions,
  type ResolvedRateLimit,
  resolveRateLimit,
} from "../../src/options.js";

/** Gives back the slot (the lease) taken by `acquire`. Calling it twice has no further effect. */
export type Release = () => void;

/**
 * The account's rate limit, as the client uses it. The local limiter is one implementation; a
 * shared one (e.g. `@pingback/rate-limit-redis`) lets every process of an account use one limit.
 */
export interface RateLimitStore {
  /**
   * Waits for a slot (a token and room in flight) and resolves with its release, which the client
   * calls once the response's headers arrive. Rejects with `signal.reason` if `signal` aborts
   * first, and with an error naming the store if the store cannot answer.
   */
  acquire(signal?: AbortSignal | null): Promise<Release>;
  /** Takes a slot now, without waiting, if one is free (optional: a fast path for local stores). */
  tryAcquire?(): Release | undefined;
  /**
   * The server answered 429: hold every caller back for `retryAfterMs` (when the server said) or
   * one interval, and slow down for a while.
   */
  throttled(retryAfterMs?: number): void;
}

/** The local limiter also takes slots without waiting. */
export interface RateLimiter extends RateLimitStore {
  tryAcquire(): Release | undefined;
}

/** The longest pause a `Retry-After` imposes on the limiter: later callers wait, they do not hang. */
export const MAX_PAUSE_MS = 60_000;
/** After a 429 the rate is halved (down to a quarter at most), and climbs back within this time. */
export const RECOVERY_MS = 10_000;

interface Waiter {
  resolve: (release: Release) => void;
  signal: AbortSignal | null | undefined;
  onAbort: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export function createRateLimiter(options: ResolvedRateLimit): RateLimiter {
  const { requestsPerSecond, maxInFlight } = options;
  const capacity = options.burst - options.reserve;
  const msPerToken = 1000 / requestsPerSecond;
  const queue: Waiter[] = [];
  let tokens = capacity;
  let refilledAt = performance.now();
  let inFlight = 0;
  // After a 429: nobody starts before `pausedUntil`, and the rate is `speed(now)` × the nominal one.
  let pausedUntil = 0;
  let slowedAt = Number.NEGATIVE_INFINITY;
  let slowest = 1;
  const speed = (now: number) => Math.min(1, slowest + (now - slowedAt) / RECOVERY_MS);

  function refill(now: number): void {
    tokens = Math.min(capacity, tokens + ((now - refilledAt) * speed(now)) / msPerToken);
    refilledAt = now;
  }

  function release(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inFlight--;
      pump();
    };
  }

  function take(): Release | undefined {
    const now = performance.now();
    if (inFlight >= maxInFlight || now < pausedUntil) return undefined;
    refill(now);
    if (tokens < 1) return undefined;
    tokens--;
    inFlight++;
    return release();
  }

  /** Grants waiters in order of arrival while tokens and slots last. */
  function pump(): void {
    while (queue.length > 0) {
      const granted = take();
      if (!granted) return;
      const waiter = queue.shift() as Waiter;
      clearTimeout(waiter.timer);
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.resolve(granted);
    }
  }

  /**
   * Wakes the queue when the pause ends or the next token is due, for as long as this waiter
   * waits. Out of slots, a release pumps the queue; the timer still ticks to keep the request alive.
   */
  function wakeLater(waiter: Waiter): void {
    const now = performance.now();
    const wait =
      now < pausedUntil
        ? pausedUntil - now
        : ((tokens >= 1 ? 1 : 1 - tokens) * msPerToken) / speed(now);
    waiter.timer = setTimeout(() => {
      pump();
      if (queue.includes(waiter)) wakeLater(waiter);
    }, Math.ceil(wait));
  }

  return {
    throttled(retryAfterMs) {
      const now = performance.now();
      refill(now);
      tokens = 0;
      pausedUntil = Math.max(pausedUntil, now + Math.min(retryAfterMs ?? 0, MAX_PAUSE_MS));
      // Both requests in flight may come back 429 together: that is one signal, not two.
      if (now - slowedAt >= msPerToken) {
        slowest = Math.max(0.25, speed(now) / 2);
        slowedAt = now;
      }
    },
    tryAcquire() {
      return queue.length === 0 ? take() : undefined;
    },
    acquire(signal) {
      return new Promise<Release>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        // The listener is removed when the slot is granted, so it only ever finds a queued waiter.
        const onAbort = () => {
          clearTimeout(waiter.timer);
          queue.splice(queue.indexOf(waiter), 1);
          reject(signal?.reason);
        };
        const waiter: Waiter = { resolve, signal, onAbort, timer: undefined };
        signal?.addEventListener("abort", onAbort, { once: true });
        queue.push(waiter);
        pump();
        if (queue.includes(waiter)) wakeLater(waiter);
      });
    },
  };
}

/**
 * The client's own limiter as a store, e.g. the fallback of a shared store. `options` are checked
 * and defaulted as the client's `rateLimit` option is.
 */
export function createLocalRateLimitStore(
  options: Omit<RateLimitOptions, "store"> = {},
): RateLimitStore {
  return createRateLimiter(resolveRateLimit(options) as ResolvedRateLimit);
}
