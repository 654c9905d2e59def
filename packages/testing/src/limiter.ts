/**
 * The API's published rate limit, counted when a request ARRIVES, as the real API counts it: a
 * token bucket of `burst` refilled at `requestsPerSecond`, and at most `maxInFlight` requests
 * between arrival and answer. Past either, the answer is 429 TOO_MANY_REQUESTS.
 */
export interface RateLimit {
  /** Tokens added per second (default 5, the API's). */
  requestsPerSecond: number;
  /** Size of the bucket: requests accepted at once after a pause (default 2). */
  burst: number;
  /** Requests between arrival and answer at the same time (default 2). */
  maxInFlight: number;
}

/** The numbers Pingback publishes (the spec says them in prose only: "5 requests per second, with at most 2 at once"). */
export const DOCUMENTED_RATE_LIMIT: RateLimit = { requestsPerSecond: 5, burst: 2, maxInFlight: 2 };

export class Limiter {
  readonly limit: RateLimit;
  private tokens = 0;
  private refilledAt = 0;
  private inFlight = 0;

  constructor(given: Partial<RateLimit>) {
    this.limit = { ...DOCUMENTED_RATE_LIMIT, ...given };
    for (const [name, value] of Object.entries(this.limit))
      if (!(typeof value === "number" && value > 0))
        throw new TypeError(
          `@pingback/testing: rateLimit.${name} must be a number above 0, got ${String(value)}. Pass rateLimit: false to turn the limit off.`,
        );
    this.reset();
  }

  reset(): void {
    this.tokens = this.limit.burst;
    this.refilledAt = performance.now();
    this.inFlight = 0;
  }

  /** Counts one arrival; false when it is over the limit (then nothing is held). */
  admit(): boolean {
    const now = performance.now();
    const { burst, requestsPerSecond, maxInFlight } = this.limit;
    this.tokens = Math.min(
      burst,
      this.tokens + ((now - this.refilledAt) / 1000) * requestsPerSecond,
    );
    this.refilledAt = now;
    if (this.tokens < 1 || this.inFlight >= maxInFlight) return false;
    this.tokens -= 1;
    this.inFlight += 1;
    return true;
  }

  /** The answer of an admitted request has left. */
  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }
}
