/**
 * A token bucket combined with a cap on requests in flight, with a first-in first-out queue.
 *
 * The API counts requests when they arrive; the client counts them when they leave, so the two
 * agree as long as every request of a process goes through one limiter.
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
}

export function createRateLimiter(options: Required<RateLimitOptions>): RateLimiter {
  const { requestsPerSecond, burst, maxInFlight } = options;
  const msPerToken = 1000 / requestsPerSecond;
  const queue: Waiter[] = [];
  let tokens = burst;
  let refilledAt = performance.now();
  let inFlight = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

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

  function pump(): void {
    while (queue.length > 0) {
      const granted = take();
      if (!granted) {
        // Out of slots: the next release pumps again. Out of tokens: a timer does.
        if (inFlight < maxInFlight && timer === undefined) {
          timer = setTimeout(
            () => {
              timer = undefined;
              pump();
            },
            Math.ceil((1 - tokens) * msPerToken),
          );
        }
        return;
      }
      const waiter = queue.shift() as Waiter;
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.resolve(granted);
    }
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
          queue.splice(queue.indexOf(waiter), 1);
          reject(signal?.reason);
        };
        const waiter: Waiter = { resolve, signal, onAbort };
        signal?.addEventListener("abort", onAbort, { once: true });
        queue.push(waiter);
        pump();
      });
    },
  };
}
