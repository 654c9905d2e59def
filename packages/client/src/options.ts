/** The options of `createPingbackClient`, their defaults, and the checks that refuse bad ones. */
import type { HeadersOptions } from "openapi-fetch";
import type { PingbackObserver } from "./events.js";
import type { RateLimitStore } from "./rate-limit.js";

/** Where the API lives. It is served over HTTPS only. */
export const DEFAULT_BASE_URL = "https://connect.pingback.com/v2";

/** The API's published limit: a token bucket of 2, refilled at 5 per second, 2 requests at once. */
export interface RateLimitOptions {
  /** Tokens added to the bucket per second (default 5). */
  requestsPerSecond?: number | undefined;
  /** Size of the server's bucket: how many requests it accepts at once after a pause (default 2). */
  burst?: number | undefined;
  /** Tokens of `burst` the client never spends, left as slack for transit jitter (default 1). */
  reserve?: number | undefined;
  /** Requests allowed in flight at the same time (default 2). */
  maxInFlight?: number | undefined;
  /**
   * A limiter shared by every process of the account (e.g. `@pingback/rate-limit-redis`), instead
   * of this client's own; the limits are then the store's options, not these.
   */
  store?: RateLimitStore | undefined;
}

/** The local limiter's numbers, every one set. */
export type ResolvedRateLimit = Required<Omit<RateLimitOptions, "store">>;

/** What caused a retry, as shown to `onRetry`. */
export interface RetryEvent {
  /** 1 for the first retry, 2 for the second, ... */
  attempt: number;
  /** How long the client waits before sending the request again. */
  delayMs: number;
  /** `METHOD /path/{param}`: the path template, so no email address reaches the retry log. */
  operation: string;
  /** The status that caused the retry, when the server answered. */
  status?: number | undefined;
  /** The server's `Retry-After` header with that status, or null when it sent none. */
  retryAfter?: string | null | undefined;
  /** The network or timeout error that caused the retry, when it did not. */
  error?: Error | undefined;
}

export interface RetryOptions {
  /** Retries after the first attempt (default 2). */
  retries?: number | undefined;
  /** Backoff before the first retry; it doubles each time, with jitter (default 500 ms). */
  baseDelayMs?: number | undefined;
  /** The longest backoff between two attempts (default 8000 ms). */
  maxDelayMs?: number | undefined;
  /** The longest `Retry-After` the client waits for; a longer one is not retried (default 60000 ms). */
  maxRetryAfterMs?: number | undefined;
  /** Also retry POST and PATCH after 5xx, network errors and timeouts: may run them twice (default false). */
  retryNonIdempotent?: boolean | undefined;
  /** Called before every retry, e.g. to log or count it. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

export interface PingbackClientOptions {
  /** The account's API key, sent as `x-api-key` to the operations that take it; leave it out for a client of keyless ones (the webhook intake). */
  apiKey?: string | undefined;
  /** The API's root URL (default `https://connect.pingback.com/v2`); `http://` only for loopback hosts and `dangerouslyAllowHttpHosts`. */
  baseUrl?: string | URL | undefined;
  /** Host names (e.g. `["prism"]`, a docker-compose mock) that `baseUrl` may reach over `http://`: the key then travels in clear text. */
  dangerouslyAllowHttpHosts?: readonly string[] | undefined;
  /** Allow a client with an API key in a browser, where anyone who opens the page can read the key. */
  dangerouslyAllowBrowser?: boolean | undefined;
  /** Send `x-developer-mode: true` on every request: work on test data, leave production untouched. */
  developerMode?: boolean | undefined;
  /** The `fetch` to send requests with (default `globalThis.fetch`); it must honour `init.signal`. */
  fetch?: ((input: Request, init?: RequestInit) => Promise<Response>) | undefined;
  /** Headers sent with every request; a request's own `headers` override them. */
  headers?: HeadersOptions | undefined;
  /** The client-side rate limit (default: the API's, 5/s, burst 2, 2 in flight), or `false` for none. */
  rateLimit?: RateLimitOptions | false | undefined;
  /** Retries of failed requests (default: 2 retries), or `false` for none. */
  retry?: RetryOptions | false | undefined;
  /** Each call's deadline, from the call to its body's end (rate-limit queue, retries and their waits included), in ms (default 30000). */
  timeoutMs?: number | undefined;
  /** Told every event of every call: requests, answers, retries, rate-limit waits, timeouts. */
  observers?: readonly PingbackObserver[] | undefined;
}

/** Options a single request may override, passed next to `params` and `body`. */
export interface PingbackRequestOptions {
  /** This call's deadline (queue, attempts, waits and body), instead of the client's. */
  timeoutMs?: number | undefined;
  /** This request's retry options (merged over the client's), or `false` for none. */
  retry?: RetryOptions | false | undefined;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export const DEFAULT_RATE_LIMIT: ResolvedRateLimit = {
  requestsPerSecond: 5,
  burst: 2,
  reserve: 1,
  maxInFlight: 2,
};

export type ResolvedRetry = Required<Omit<RetryOptions, "onRetry">> & Pick<RetryOptions, "onRetry">;

export const DEFAULT_RETRY: ResolvedRetry = {
  retries: 2,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  retryNonIdempotent: false,
};

/** Where an option was given: the client's constructor, or one call (`GET /contacts/{email}`). */
const CLIENT = "createPingbackClient";

export function refuse(option: string, why: string, where = CLIENT): never {
  throw new TypeError(`${where}: \`${option}\` ${why}`);
}

/** A value as a message may show it: a string in quotes, so `"5000"` and `5000` differ. */
function shown(value: unknown): string {
  return typeof value === "string" ? `the string "${value}"` : String(value);
}

/**
 * Refuses an empty or malformed key without ever echoing it; no key (undefined) makes a client of
 * the operations that take none.
 */
export function checkApiKey(apiKey: unknown): string | undefined {
  if (apiKey === undefined) return undefined;
  if (typeof apiKey !== "string") {
    // Its type only: the value may be the key.
    refuse("apiKey", `must be a string (your Pingback API key), got ${typeof apiKey}.`);
  }
  if (apiKey.trim() === "") {
    refuse("apiKey", "is empty: pass your Pingback API key (or no `apiKey` at all).");
  }
  // A header value must be visible ASCII; anything else would fail later with a less clear error.
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    refuse("apiKey", "has spaces, line breaks or non-ASCII: was it copied whole?");
  }
  return apiKey;
}

/**
 * Accepts https URLs (strings or `URL`s), http URLs of loopback hosts (a local mock or proxy), and
 * http URLs of the hosts the caller named, with a warning.
 */
export function checkBaseUrl(option: string | URL, httpHosts: readonly string[] = []): string {
  const baseUrl = String(option);
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return refuse("baseUrl", `"${baseUrl}" is not an absolute URL, like "${DEFAULT_BASE_URL}".`);
  }
  if (url.username || url.password) refuse("baseUrl", "must not hold credentials; pass `apiKey`.");
  const loopback = /^(localhost|\[::1\]|127(\.\d{1,3}){3})$/.test(url.hostname);
  const named = httpHosts.includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && (loopback || named))) {
    refuse(
      "baseUrl",
      `"${baseUrl}" must use https://, or the key would travel in clear text (http:// is only for localhost, 127.x.x.x, [::1] and \`dangerouslyAllowHttpHosts\`).`,
    );
  }
  if (url.protocol === "http:" && !loopback) {
    console.warn(
      `@pingback/client: the key goes to ${url.host} in clear text (dangerouslyAllowHttpHosts): for a local mock only.`,
    );
  }
  return baseUrl;
}

/** Refuses a value that is not a finite (or `whole`) number above (or, with `orZero`, equal to) 0. */
function checkAmount(option: string, value: number, orZero = false, whole = false, where = CLIENT) {
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value < 0 ||
    (value === 0 && !orZero) ||
    (whole && value % 1)
  ) {
    const kind = whole ? "whole" : "finite";
    refuse(option, `must be a ${kind} number ${orZero ? "≥" : ">"} 0, got ${shown(value)}.`, where);
  }
}

/** The options without their `undefined` values, so that those leave the defaults in place. */
function defined<T extends object>(option: T | undefined): Partial<T> {
  const out: Partial<T> = {};
  for (const key in option) if (option[key] !== undefined) out[key] = option[key];
  return out;
}

export function resolveRateLimit(
  option: RateLimitOptions | false | undefined,
): (ResolvedRateLimit & { store?: undefined }) | { store: RateLimitStore } | undefined {
  if (option === false) return undefined;
  if (option?.store !== undefined) {
    const { store, ...limits } = option;
    if (typeof store?.acquire !== "function" || typeof store.throttled !== "function") {
      refuse(
        "rateLimit.store",
        "must have `acquire(signal)` and `throttled(retryAfterMs)` methods.",
      );
    }
    const set = Object.keys(limits).filter(
      (key) => limits[key as keyof typeof limits] !== undefined,
    );
    if (set.length > 0)
      refuse("rateLimit.store", `decides the limits: set ${set.join(", ")} on the store.`);
    return { store };
  }
  const resolved = { ...DEFAULT_RATE_LIMIT };
  for (const key of Object.keys(DEFAULT_RATE_LIMIT) as (keyof ResolvedRateLimit)[]) {
    resolved[key] = option?.[key] ?? DEFAULT_RATE_LIMIT[key];
    checkAmount(`rateLimit.${key}`, resolved[key], key === "reserve", key === "maxInFlight");
  }
  // The client's own bucket holds `burst - reserve` tokens: below 1 it would never grant one.
  if (resolved.burst - resolved.reserve < 1) {
    const most = resolved.burst - 1;
    refuse(
      "rateLimit.reserve",
      `must leave a whole token of \`burst\` (at most ${most}), got ${resolved.reserve}.`,
    );
  }
  return resolved;
}

/** Merges retry options over a base; `false` turns retries off. */
export function resolveRetry(
  option: RetryOptions | false | undefined,
  base: ResolvedRetry = DEFAULT_RETRY,
  where = CLIENT,
): ResolvedRetry {
  if (option === false) return { ...base, retries: 0 };
  if (typeof option !== "object" && option !== undefined) {
    refuse(
      "retry",
      `must be an object like { retries: 2 }, or false, got ${shown(option)}.`,
      where,
    );
  }
  const resolved = { ...base, ...defined(option) };
  checkAmount("retry.retries", resolved.retries, true, true, where);
  for (const key of ["baseDelayMs", "maxDelayMs", "maxRetryAfterMs"] as const) {
    checkAmount(`retry.${key}`, resolved[key], true, false, where);
  }
  return resolved;
}

export function resolveTimeout(timeoutMs: number | undefined, where = CLIENT): number {
  const resolved = timeoutMs ?? DEFAULT_TIMEOUT_MS;
  checkAmount("timeoutMs", resolved, false, false, where);
  return resolved;
}
