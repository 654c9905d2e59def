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
  reject: (reason: unknown) => void;
  signal?: AbortSignal | null;
  onAbort?: () => void;
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
      if (waiter.onAbort) waiter.signal?.removeEventListener("abort", waiter.onAbort);
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
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<Release>((resolve, reject) => {
        const waiter: Waiter = { resolve, reject, signal };
        queue.push(waiter);
        pump();
        if (signal && queue.includes(waiter)) {
          waiter.onAbort = () => {
            const index = queue.indexOf(waiter);
            if (index !== -1) queue.splice(index, 1);
            reject(signal.reason);
          };
          signal.addEventListener("abort", waiter.onAbort, { once: true });
        }
      });
    },
  };
}
