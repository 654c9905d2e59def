/** When a failed attempt is tried again, and after how long. Pure functions, so tables test them. */
import type { ResolvedRetry } from "./options.js";

/** Statuses that say "try again later": too many requests, and transient server failures. */
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/** Methods that change nothing more when sent twice (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);

/**
 * Milliseconds a `Retry-After` header asks to wait: delta-seconds or an HTTP date.
 * Undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its day and month; without letters, Date.parse would accept "-1" or "1.5".
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with "equal jitter": between half and all of `base·2^(n-1)`, capped. */
export function backoffMs(
  retryNumber: number,
  { baseDelayMs, maxDelayMs }: Pick<ResolvedRetry, "baseDelayMs" | "maxDelayMs">,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (retryNumber - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** What went wrong with one attempt. */
export type Failure = { status: number; retryAfter: string | null } | { error: Error };

/**
 * How long to wait before retry number `retryNumber` (1-based); undefined to give up, or why not
 * when the failure was retryable but the wait it asks for is too long.
 *
 * A request that may not be idempotent (POST, PATCH) is retried only after 429, which says the
 * server did not process it, unless the caller opted in with `retryNonIdempotent`.
 */
export function retryDelay(
  method: string,
  failure: Failure,
  retryNumber: number,
  options: ResolvedRetry,
  random: () => number = Math.random,
): number | string | undefined {
  if (retryNumber > options.retries) return undefined;
  const notProcessed = "status" in failure && failure.status === 429;
  if (!notProcessed && !IDEMPOTENT_METHODS.has(method) && !options.retryNonIdempotent) {
    return undefined;
  }
  if (!("status" in failure)) return backoffMs(retryNumber, options, random);
  if (!RETRYABLE_STATUSES.has(failure.status)) return undefined;
  const asked = parseRetryAfter(failure.retryAfter);
  if (asked === undefined) return backoffMs(retryNumber, options, random);
  // Waiting less than asked would only earn another 429; waiting longer than the bound is not ours
  // to decide, so the caller gets the response instead.
  return asked <= options.maxRetryAfterMs
    ? asked
    : `Retry-After asks ${asked} ms, more than maxRetryAfterMs (${options.maxRetryAfterMs} ms)`;
}
