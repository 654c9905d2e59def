/**
 * The limiter on fake timers: the bucket and its reserve, the in-flight cap, the queue's order,
 * aborts, and what a 429 does (pause, Retry-After, slow down, recover).
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { DEFAULT_RATE_LIMIT } from "../src/options.js";
import { createRateLimiter, RECOVERY_MS, type Release } from "../src/rate-limit.js";

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
  test("by default one request starts at once, then one every 200 ms: one token of the burst is slack", async () => {
    const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT, maxInFlight: 100 });
    const { grantedAt, releases } = acquireAll(limiter, 5);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(grantedAt).toEqual([0, 200, 400, 600, 800]);
    for (const release of releases) release();
  });

  test("with reserve: 0 the whole burst of 2 starts at once, then one every 200 ms", async () => {
    const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT, reserve: 0, maxInFlight: 100 });
    const { grantedAt } = acquireAll(limiter, 5);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(grantedAt).toEqual([0, 0, 200, 400, 600]);
  });

  test("after a pause the bucket holds at most `burst - reserve` tokens", async () => {
    const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT, burst: 4, maxInFlight: 100 });
    await vi.advanceTimersByTimeAsync(10_000);
    const { grantedAt } = acquireAll(limiter, 4);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(grantedAt).toEqual([0, 0, 0, 200]);
  });
});

describe("after a 429", () => {
  const unlimited = { ...DEFAULT_RATE_LIMIT, maxInFlight: 100 };

  test("without Retry-After the next request waits about a full interval, at half the rate", async () => {
    const limiter = createRateLimiter(unlimited);
    await vi.advanceTimersByTimeAsync(1_000);
    limiter.throttled();
    const { grantedAt } = acquireAll(limiter, 1);
    await vi.advanceTimersByTimeAsync(1_000);
    // Half the rate is 400 ms a token, but the rate climbs back meanwhile (× 0.5 + t/10 s), so the
    // bucket holds the token from about 373 ms; the waiter's own timer, set a little early (its
    // 400 ms rounded down), finds it there at 384 ms.
    expect(grantedAt).toEqual([384]);
  });

  test("Retry-After holds every caller back until it has passed", async () => {
    const limiter = createRateLimiter(unlimited);
    limiter.throttled(3_000);
    const { grantedAt } = acquireAll(limiter, 2);
    await vi.advanceTimersByTimeAsync(10_000);
    // The bucket refilled during the pause: one request at once, the next one interval later at
    // the rate recovered by then (half speed, plus 3 s of recovery: 0.8 × 5/s, so 250 ms).
    expect(grantedAt).toEqual([3_000, 3_250]);
  });

  test("the rate recovers to the nominal one within RECOVERY_MS", async () => {
    const limiter = createRateLimiter(unlimited);
    limiter.throttled();
    await vi.advanceTimersByTimeAsync(RECOVERY_MS);
    const { grantedAt } = acquireAll(limiter, 3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(grantedAt).toEqual([0, 200, 400]);
  });

  test("two 429s in one interval (both requests in flight) slow it down once, not twice", async () => {
    const once = createRateLimiter(unlimited);
    once.throttled();
    const twice = createRateLimiter(unlimited);
    twice.throttled();
    twice.throttled();
    const a = acquireAll(once, 3);
    const b = acquireAll(twice, 3);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(b.grantedAt).toEqual(a.grantedAt);
  });

  test("repeated 429s slow it down to a quarter of the rate, no further", async () => {
    const limiter = createRateLimiter(unlimited);
    for (let i = 0; i < 5; i++) {
      limiter.throttled();
      await vi.advanceTimersByTimeAsync(200);
    }
    limiter.throttled();
    const { grantedAt } = acquireAll(limiter, 2);
    await vi.advanceTimersByTimeAsync(5_000);
    // A quarter of 5/s is one per 800 ms; the recovery under way makes it a little faster.
    const gap = (grantedAt[1] ?? 0) - (grantedAt[0] ?? 0);
    expect(gap).toBeGreaterThan(600);
    expect(gap).toBeLessThanOrEqual(800);
  });

  test("a Retry-After longer than a minute pauses the limiter for a minute", async () => {
    const limiter = createRateLimiter(unlimited);
    limiter.throttled(3_600_000);
    const { grantedAt } = acquireAll(limiter, 1);
    await vi.advanceTimersByTimeAsync(61_000);
    expect(grantedAt).toEqual([60_000]);
  });
});

describe("waiting, request by request", () => {
  // On Cloudflare Workers a timer belongs to the request that set it and dies with it: a waiter
  // that relied on another request's timer hung (the runtime matrix's workerd row shows it).
  test("each queued waiter is woken by a timer of its own, and none is left once all are served", async () => {
    const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT, maxInFlight: 100 });
    const { grantedAt } = acquireAll(limiter, 5);
    // The default spends one token of the burst at once (the other is the reserve): 4 wait, each
    // with its own timer, and the queue has one for the next token.
    expect(vi.getTimerCount()).toBe(5);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(grantedAt).toEqual([0, 200, 400, 600, 800]);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("a waiter held back by the in-flight cap keeps a timer until a release lets it through", async () => {
    const limiter = createRateLimiter({
      requestsPerSecond: 10,
      burst: 10,
      reserve: 0,
      maxInFlight: 1,
    });
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

describe("cost per queued call", () => {
  // The limiter this replaced woke every waiter at every token and scanned the queue each time:
  // 200 waiters cost about 20,000 timers and 4 million queue steps. Counting the timers set is the
  // test of the O(1) design (the benchmark, \`pnpm bench:queue\`, measures the time).
  test("each waiter's own timer is set for its turn: a handful of timers per waiter, not one per token", async () => {
    const limiter = createRateLimiter(DEFAULT_RATE_LIMIT);
    const setTimeout = vi.spyOn(globalThis, "setTimeout");
    const n = 200;
    const { grantedAt, releases } = acquireAll(limiter, n);
    for (let t = 0; t < n; t++) {
      await vi.advanceTimersByTimeAsync(200);
      for (const release of releases.splice(0)) release?.();
    }
    expect(grantedAt.filter((at) => at !== undefined)).toHaveLength(n);
    expect(grantedAt.at(-1)).toBe((n - 1) * 200);
    // About 4 per waiter: each is set a little early (its delay rounded down), then once more.
    expect(setTimeout.mock.calls.length).toBeLessThan(5 * n);
    setTimeout.mockRestore();
  });

  test("an abort leaves the queue in order: the waiters behind it move up", async () => {
    const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT, maxInFlight: 100 });
    const controllers = Array.from({ length: 6 }, () => new AbortController());
    const start = performance.now();
    const grantedAt: (number | string)[] = [];
    controllers.forEach((controller, i) => {
      limiter.acquire(controller.signal).then(
        () => {
          grantedAt[i] = performance.now() - start;
        },
        () => {
          grantedAt[i] = "aborted";
        },
      );
    });
    controllers[2]?.abort();
    controllers[3]?.abort();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(grantedAt).toEqual([0, 200, "aborted", "aborted", 400, 600]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("requests in flight", () => {
  test("a third request waits until one of the first two is released", async () => {
    const limiter = createRateLimiter({
      requestsPerSecond: 1_000,
      burst: 10,
      reserve: 0,
      maxInFlight: 2,
    });
    const { grantedAt, releases } = acquireAll(limiter, 3);
    await vi.advanceTimersByTimeAsync(500);
    expect(grantedAt).toEqual([0, 0]);
    releases[1]?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(grantedAt).toEqual([0, 0, 500]);
  });

  test("releasing twice frees one slot, not two", async () => {
    const limiter = createRateLimiter({
      requestsPerSecond: 1_000,
      burst: 10,
      reserve: 0,
      maxInFlight: 1,
    });
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
    const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT, reserve: 0, maxInFlight: 100 });
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
    const limiter = createRateLimiter({ ...DEFAULT_RATE_LIMIT, reserve: 0, maxInFlight: 100 });
    await expect(limiter.acquire(AbortSignal.abort(new Error("no")))).rejects.toThrow("no");
    const { grantedAt } = acquireAll(limiter, 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(grantedAt).toEqual([0, 0]);
  });
});
