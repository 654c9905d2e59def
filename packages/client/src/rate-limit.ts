/**
 * Where the client takes a slot before each attempt: the `RateLimitStore` interface, and the local
 * limiter that implements it (a token bucket, a cap on requests in flight, a first-in first-out queue).
 *
 * The API counts requests when they ARRIVE; a client counts them when they leave. Transit jitter
 * moves arrivals closer together than departures, so the local limiter spends only part of the
 * server's burst (`burst - reserve` tokens) and leaves the rest as slack. After a 429 it pauses
 * (for `Retry-After` when the server sends one), halves its rate, and recovers within seconds.
 *
 * Each queued waiter keeps a timer of its own, set only from its own call (in `acquire`, and in its
 * own timer's callback): on Cloudflare Workers a timer belongs to the request that set it and is
 * cancelled when that request ends, so a timer shared by the queue left the waiters of other
 * requests hanging ("the Worker's code had hung"). A waiter's own timer also keeps its request
 * alive while it waits. It is set for when the waiter's turn may come (its place in the queue times
 * the interval), so each fires about once, not once per token: the cost per queued call is O(1)
 * here plus the runtime's timer insertion (a heap in Node, O(log n)). Besides them, one timer of
 * the queue wakes it exactly when the next token is due; where the runtime cancels it, the
 * waiters' own timers still wake the queue.
 */
import { type RateLimitOptions, type ResolvedRateLimit, resolveRateLimit } from "./options.js";

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
  /** Its place in the queue since the limiter was made: the one ahead of it has `seq - 1`. */
  seq: number;
  /** Granted or aborted: a waiter stays in the queue until the queue's head passes it. */
  done: boolean;
}

export function createRateLimiter(options: ResolvedRateLimit): RateLimiter {
  const { requestsPerSecond, maxInFlight } = options;
  const capacity = options.burst - options.reserve;
  const msPerToken = 1000 / requestsPerSecond;
  // First in, first out: `queue[head]` is next; `dropped` entries before it were cut off the array.
  let queue: Waiter[] = [];
  let head = 0;
  let dropped = 0;
  let waiting = 0;
  let tokens = capacity;
  let refilledAt = performance.now();
  let inFlight = 0;
  // After a 429: nobody starts before `pausedUntil`, and the rate is `speed(now)` × the nominal one.
  let pausedUntil = 0;
  let slowedAt = Number.NEGATIVE_INFINITY;
  let slowest = 1;
  const speed = (now: number) => Math.min(1, slowest + (now - slowedAt) / RECOVERY_MS);
  // The queue's own timer, for the next token or the pause's end.
  let alarm: ReturnType<typeof setTimeout> | undefined;

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

  /** The waiter leaves the queue's count; its entry is skipped when the head reaches it. */
  function settle(waiter: Waiter): void {
    waiter.done = true;
    waiting--;
    clearTimeout(waiter.timer);
    waiter.signal?.removeEventListener("abort", waiter.onAbort);
  }

  /**
   * How long until a waiter with `ahead` waiters before it may get a token, if nothing changes:
   * not before the pause ends, nor before `ahead + 1` tokens are there (at least `least` more).
   */
  function dueIn(ahead: number, least: number): number {
    const now = performance.now();
    refill(now);
    const refilled = (Math.max(least, ahead + 1 - tokens) * msPerToken) / speed(now);
    return Math.max(pausedUntil - now, refilled);
  }

  /** Grants waiters in order of arrival while tokens and slots last, then sets the queue's timer. */
  function pump(): void {
    for (; head < queue.length; head++) {
      const waiter = queue[head] as Waiter;
      if (waiter.done) continue;
      const granted = take();
      if (!granted) break;
      settle(waiter);
      waiter.resolve(granted);
    }
    // Entries behind the head go in bulk, when they are half the array: O(1) per waiter.
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      dropped += head;
      head = 0;
    }
    // Out of slots, a release pumps the queue; otherwise the next token (or the pause's end) does.
    // An alarm already set stays: setting it again at each pump would only add rounding.
    if (waiting === 0 || inFlight >= maxInFlight) {
      clearTimeout(alarm);
      alarm = undefined;
    } else if (alarm === undefined) {
      alarm = setTimeout(
        () => {
          alarm = undefined;
          pump();
        },
        Math.ceil(dueIn(0, 0)),
      );
    }
  }

  /**
   * Sets the waiter's own timer for when its turn may come; it wakes the queue, then itself again.
   * The delay is rounded down to 3 significant bits: never late, at most a fifth early (it then
   * sets another), and timers of few distinct delays, which Node keeps in few lists (210 B a timer
   * instead of 370 B, measured by bench/queue.ts).
   */
  function wakeLater(waiter: Waiter): void {
    // At least one interval: a waiter held back by the in-flight cap must not spin.
    const wait = Math.ceil(dueIn(waiter.seq - dropped - head, 1));
    const step = 2 ** Math.max(0, Math.floor(Math.log2(wait)) - 2);
    waiter.timer = setTimeout(
      () => {
        pump();
        if (!waiter.done) wakeLater(waiter);
      },
      wait - (wait % step),
    );
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
      return waiting === 0 ? take() : undefined;
    },
    acquire(signal) {
      return new Promise<Release>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const granted = waiting === 0 ? take() : undefined;
        if (granted) return resolve(granted);
        // The listener is removed when the slot is granted, so it only ever finds a queued waiter.
        const onAbort = () => {
          settle(waiter);
          reject(signal?.reason);
        };
        const waiter: Waiter = {
          resolve,
          signal,
          onAbort,
          timer: undefined,
          seq: dropped + queue.length,
          done: false,
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        queue.push(waiter);
        waiting++;
        wakeLater(waiter);
        if (alarm === undefined) pump();
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
