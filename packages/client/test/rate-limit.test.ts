/** The limiter on fake timers: the bucket, the in-flight cap, the queue's order, and aborts. */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { DEFAULT_RATE_LIMIT } from "../src/options.js";
import { createRateLimiter, type Release } from "../src/rate-limit.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Starts `n` acquisitions and records, for each, the fake time at which it got its slot. */
function acquireAll(limiter: ReturnType<typeof createRateLimiter>, n: number) {
  const start = performance.now();
  const grantedAt: number[] = [];
  const releases: Release[] = [];
  for (let i = 0; i < n; i++) {
    void limiter.acquire().then((release) => {
      grantedAt[i] = performance.now() - start;
      releases[i] = release;
    });
  }
  return { grantedAt, releases };
}

describe("token bucket", () => {
  test("the burst of 2 starts at once, then one request every 200 ms", async () => {
    const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT, maxInFlight: 100 });
    const { grantedAt, releases } = acquireAll(limiter, 5);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(grantedAt).toEqual([0, 0, 200, 400, 600]);
    for (const release of releases) release();
  });

  test("after a pause the bucket holds at most `burst` tokens", async () => {
    const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT, maxInFlight: 100 });
    await vi.advanceTimersByTimeAsync(10_000);
    const { grantedAt } = acquireAll(limiter, 3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(grantedAt).toEqual([0, 0, 200]);
  });

  test("drain() makes the next request wait a full interval", async () => {
    const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT, maxInFlight: 100 });
    limiter.drain();
    const { grantedAt } = acquireAll(limiter, 1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(grantedAt).toEqual([200]);
  });
});

describe("waiting, request by request", () => {
  // On Cloudflare Workers a timer belongs to the request that set it and dies with it: a waiter
  // that relied on another request's timer hung (the runtime matrix's workerd row shows it).
  test("each queued waiter is woken by a timer of its own, and none is left once all are served", async () => {
    const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT, maxInFlight: 100 });
    const { grantedAt } = acquireAll(limiter, 5);
    expect(vi.getTimerCount()).toBe(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(grantedAt).toEqual([0, 0, 200, 400, 600]);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("a waiter held back by the in-flight cap keeps a timer until a release lets it through", async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 10, burst: 10, maxInFlight: 1 });
    const { grantedAt, releases } = acquireAll(limiter, 2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(grantedAt).toEqual([0]);
    expect(vi.getTimerCount()).toBe(1);
    releases[0]?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(grantedAt).toEqual([0, 1_000]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("requests in flight", () => {
  test("a third request waits until one of the first two is released", async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 1_000, burst: 10, maxInFlight: 2 });
    const { grantedAt, releases } = acquireAll(limiter, 3);
    await vi.advanceTimersByTimeAsync(500);
    expect(grantedAt).toEqual([0, 0]);
    releases[1]?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(grantedAt).toEqual([0, 0, 500]);
  });

  test("releasing twice frees one slot, not two", async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 1_000, burst: 10, maxInFlight: 1 });
    const { grantedAt, releases } = acquireAll(limiter, 3);
    await vi.advanceTimersByTimeAsync(0);
    releases[0]?.();
    releases[0]?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(grantedAt.filter((t) => t !== undefined)).toHaveLength(2);
  });
});

describe("queue", () => {
  test("slots are granted first-in first-out", async () => {
    const limiter = createRateLimiter(DEFAULT_RATE_LIMIT);
    const order: number[] = [];
    for (let i = 0; i < 6; i++) {
      void limiter.acquire().then((release) => {
        order.push(i);
        release();
      });
    }
    await vi.advanceTimersByTimeAsync(2_000);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test("an abort while queued rejects with the signal's reason and gives the turn away", async () => {
    const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT, maxInFlight: 100 });
    await limiter.acquire();
    await limiter.acquire();
    const controller = new AbortController();
    const aborted = limiter.acquire(controller.signal);
    const next = acquireAll(limiter, 1);
    controller.abort(new Error("caller gave up"));
    await expect(aborted).rejects.toThrow("caller gave up");
    await vi.advanceTimersByTimeAsync(200);
    expect(next.grantedAt).toEqual([200]);
  });

  test("an already aborted signal rejects without taking a token", async () => {
    const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT, maxInFlight: 100 });
    await expect(limiter.acquire(AbortSignal.abort(new Error("no")))).rejects.toThrow("no");
    const { grantedAt } = acquireAll(limiter, 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(grantedAt).toEqual([0, 0]);
  });
});
