/**
 * A token bucket combined with a cap on requests in flight, with a first-in first-out queue.
 *
 * The API counts requests when they arrive; the client counts them when they leave, so the two
 * agree as long as every request of a process goes through one limiter.
 *
 * Each queued waiter keeps a timer of its own that wakes the queue, rather than one timer for the
 * whole queue: on Cloudflare Workers a timer belongs to the request that set it and is cancelled
 * when that request ends, so a shared timer left the waiters of other requests hanging ("the
 * Worker's code had hung"). A waiter's own timer also keeps its request alive while it waits.
 */
import type { RateLimitOptions } from "./options.js";

/** Gives back the slot taken by `acquire`. Calling it twice has no further effect. */
export type Release = () => void;

export interface RateLimiter {
  /** Waits for a token and a free slot, in order of arrival; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal | null): Promise<Release>;
  /** Takes a slot now if one is free and nobody is queued, without waiting. */
  tryAcquire(): Release | undefined;
  /** Empties the bucket: a 429 says the server counted more than we did, so wait a full interval. */
  drain(): void;
}

interface Waiter {
  resolve: (release: Release) => void;
  signal: AbortSignal | null | undefined;
  onAbort: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export function createRateLimiter(options: Required<RateLimitOptions>): RateLimiter {
  const { requestsPerSecond, burst, maxInFlight } = options;
  const msPerToken = 1000 / requestsPerSecond;
  const queue: Waiter[] = [];
  let tokens = burst;
  let refilledAt = performance.now();
  let inFlight = 0;

  function refill(now: number): void {
    tokens = Math.min(burst, tokens + (now - refilledAt) / msPerToken);
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
    if (inFlight >= maxInFlight) return undefined;
    refill(performance.now());
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
   * Wakes the queue when the next token is due, for as long as this waiter waits. Out of slots, a
   * release pumps the queue; the timer still ticks, once per token, to keep the request alive.
   */
  function wakeLater(waiter: Waiter): void {
    const due = Math.ceil((tokens >= 1 ? 1 : 1 - tokens) * msPerToken);
    waiter.timer = setTimeout(() => {
      pump();
      if (queue.includes(waiter)) wakeLater(waiter);
    }, due);
  }

  return {
    drain() {
      tokens = 0;
      refilledAt = performance.now();
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
