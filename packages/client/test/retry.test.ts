/** The retry policy as tables: Retry-After, backoff, and which failures are tried again. */
import { describe, expect, test } from "vitest";
import { DEFAULT_RETRY } from "../src/options.js";
import { backoffMs, type Failure, parseRetryAfter, retryDelay } from "../src/retry.js";

const NOW = Date.parse("2026-01-01T00:00:00Z");

describe("parseRetryAfter", () => {
  test.each([
    { given: null, want: undefined },
    { given: "0", want: 0 },
    { given: "3", want: 3_000 },
    { given: " 120 ", want: 120_000 },
    { given: "Thu, 01 Jan 2026 00:00:05 GMT", want: 5_000 },
    { given: "Wed, 31 Dec 2025 23:59:00 GMT", want: 0 },
    { given: "-1", want: undefined },
    { given: "1.5", want: undefined },
    { given: "soon", want: undefined },
  ])("$given → $want ms", ({ given, want }) => {
    expect(parseRetryAfter(given, NOW)).toBe(want);
  });
});

describe("backoffMs", () => {
  const options = { baseDelayMs: 500, maxDelayMs: 8_000 };
  test.each([
    { retry: 1, random: 0, want: 250 },
    { retry: 1, random: 1, want: 500 },
    { retry: 2, random: 0.5, want: 750 },
    { retry: 3, random: 1, want: 2_000 },
    { retry: 6, random: 1, want: 8_000 },
    { retry: 30, random: 0, want: 4_000 },
  ])("retry $retry with random $random waits $want ms", ({ retry, random, want }) => {
    expect(backoffMs(retry, options, () => random)).toBe(want);
  });
});

describe("retryDelay", () => {
  const half = () => 0.5;
  const network: Failure = { error: new Error("reset") };
  const status = (code: number, retryAfter: string | null = null): Failure => ({
    status: code,
    retryAfter,
  });

  test.each([
    { given: "GET 503", method: "GET", failure: status(503), want: 375 },
    { given: "GET 500, 502, 504", method: "GET", failure: status(502), want: 375 },
    { given: "GET network error", method: "GET", failure: network, want: 375 },
    { given: "PUT 500 (idempotent)", method: "PUT", failure: status(500), want: 375 },
    { given: "GET 429 with Retry-After 2", method: "GET", failure: status(429, "2"), want: 2_000 },
    { given: "POST 429: not processed", method: "POST", failure: status(429), want: 375 },
    { given: "POST 503: may have run", method: "POST", failure: status(503), want: undefined },
    { given: "POST network error", method: "POST", failure: network, want: undefined },
    { given: "PATCH 500", method: "PATCH", failure: status(500), want: undefined },
    { given: "GET 404", method: "GET", failure: status(404), want: undefined },
    { given: "GET 501", method: "GET", failure: status(501), want: undefined },
    {
      given: "Retry-After beyond the bound",
      method: "GET",
      failure: status(429, "61"),
      want: "Retry-After asks 61000 ms, more than maxRetryAfterMs (60000 ms)",
    },
  ])("$given → $want", ({ method, failure, want }) => {
    expect(retryDelay(method, failure, 1, DEFAULT_RETRY, half)).toBe(want);
  });

  test("POST after 503 is retried when the caller opted in", () => {
    const options = { ...DEFAULT_RETRY, retryNonIdempotent: true };
    expect(retryDelay("POST", status(503), 1, options, half)).toBe(375);
  });

  test("no retry beyond `retries`", () => {
    expect(retryDelay("GET", status(503), 2, DEFAULT_RETRY, half)).toBe(750);
    expect(retryDelay("GET", status(503), 3, DEFAULT_RETRY, half)).toBeUndefined();
  });
});
