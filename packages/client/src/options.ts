/** The options of `createPingbackClient`, their defaults, and the checks that refuse bad ones. */
import type { HeadersOptions } from "openapi-fetch";

/** Where the API lives. It is served over HTTPS only. */
export const DEFAULT_BASE_URL = "https://connect.pingback.com/v2";

/** The API's published limit: a token bucket of 2, refilled at 5 per second, 2 requests at once. */
export interface RateLimitOptions {
  /** Tokens added to the bucket per second (default 5). */
  requestsPerSecond?: number;
  /** Size of the bucket: how many requests may start at once after a pause (default 2). */
  burst?: number;
  /** Requests allowed in flight at the same time (default 2). */
  maxInFlight?: number;
}

/** What caused a retry, as shown to `onRetry`. */
export interface RetryEvent {
  /** 1 for the first retry, 2 for the second, ... */
  attempt: number;
  /** How long the client waits before sending the request again. */
  delayMs: number;
  /** The request's method and URL (never its headers). */
  method: string;
  url: string;
  /** The status that caused the retry, when the server answered. */
  status?: number;
  /** The network or timeout error that caused the retry, when it did not. */
  error?: Error;
}

export interface RetryOptions {
  /** Retries after the first attempt (default 2). */
  retries?: number;
  /** Backoff before the first retry; it doubles each time, with jitter (default 500 ms). */
  baseDelayMs?: number;
  /** The longest backoff between two attempts (default 8000 ms). */
  maxDelayMs?: number;
  /** The longest `Retry-After` the client waits for; a longer one is not retried (default 60000 ms). */
  maxRetryAfterMs?: number;
  /** Also retry POST and PATCH after 5xx, network errors and timeouts: may run them twice (default false). */
  retryNonIdempotent?: boolean;
  /** Called before every retry, e.g. to log or count it. */
  onRetry?: (event: RetryEvent) => void;
}

export interface PingbackClientOptions {
  /** The account's API key, sent as `x-api-key`. Required. */
  apiKey: string;
  /** The API's root URL (default `https://connect.pingback.com/v2`); `http://` only for loopback hosts. */
  baseUrl?: string;
  /** Send `x-developer-mode: true` on every request: work on test data, leave production untouched. */
  developerMode?: boolean;
  /** The `fetch` to send requests with (default `globalThis.fetch`); it must honour `init.signal`. */
  fetch?: (input: Request, init?: RequestInit) => Promise<Response>;
  /** Headers sent with every request; a request's own `headers` override them. */
  headers?: HeadersOptions;
  /** The client-side rate limit (default: the API's, 5/s, burst 2, 2 in flight), or `false` for none. */
  rateLimit?: RateLimitOptions | false;
  /** Retries of failed requests (default: 2 retries), or `false` for none. */
  retry?: RetryOptions | false;
  /** How long one attempt may take before it fails with `PingbackTimeoutError` (default 30000 ms). */
  timeoutMs?: number;
}

/** Options a single request may override, passed next to `params` and `body`. */
export interface PingbackRequestOptions {
  /** This request's timeout per attempt, instead of the client's. */
  timeoutMs?: number;
  /** This request's retry options (merged over the client's), or `false` for none. */
  retry?: RetryOptions | false;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export const DEFAULT_RATE_LIMIT: Required<RateLimitOptions> = {
  requestsPerSecond: 5,
  burst: 2,
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

const LOOPBACK_HOSTS = new Set(["localhost", "[::1]"]);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/** Refuses a missing, empty or malformed key without ever echoing it. */
export function checkApiKey(apiKey: unknown): string {
  if (typeof apiKey !== "string" || apiKey.trim() === "") {
    throw new TypeError(
      "createPingbackClient: `apiKey` is missing or empty. Pass your Pingback API key, e.g. read " +
        "from an environment variable.",
    );
  }
  // A header value must be visible ASCII; anything else would fail later with a less clear error.
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new TypeError(
      "createPingbackClient: `apiKey` contains spaces, line breaks or non-ASCII characters. " +
        "Check that it was copied whole and without surrounding whitespace.",
    );
  }
  return apiKey;
}

/** Accepts https URLs, and http URLs of loopback hosts (a local mock or proxy). */
export function checkBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(
      `createPingbackClient: \`baseUrl\` "${baseUrl}" is not an absolute URL. ` +
        `Use e.g. "${DEFAULT_BASE_URL}".`,
    );
  }
  if (url.username || url.password) {
    throw new TypeError(
      "createPingbackClient: `baseUrl` must not contain credentials; pass the key as `apiKey`.",
    );
  }
  if (url.protocol === "https:") return baseUrl;
  if (url.protocol === "http:" && isLoopback(url.hostname)) return baseUrl;
  if (url.protocol === "http:") {
    throw new TypeError(
      `createPingbackClient: \`baseUrl\` "${baseUrl}" uses plain http://, which the API does not ` +
        "serve and which would send your API key unencrypted. Use https://, or http:// only " +
        "for a loopback host (localhost, 127.0.0.1, [::1]).",
    );
  }
  throw new TypeError(
    `createPingbackClient: \`baseUrl\` "${baseUrl}" must use https:// (or http:// for a loopback host).`,
  );
}

function checkPositive(name: string, value: number, { allowZero = false } = {}): number {
  const ok = Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
  if (!ok) {
    throw new TypeError(
      `createPingbackClient: \`${name}\` must be a ${allowZero ? "non-negative" : "positive"} ` +
        `finite number, got ${String(value)}.`,
    );
  }
  return value;
}

export function resolveRateLimit(
  option: RateLimitOptions | false | undefined,
): Required<RateLimitOptions> | undefined {
  if (option === false) return undefined;
  const resolved = { ...DEFAULT_RATE_LIMIT, ...option };
  checkPositive("rateLimit.requestsPerSecond", resolved.requestsPerSecond);
  checkPositive("rateLimit.burst", resolved.burst);
  checkPositive("rateLimit.maxInFlight", resolved.maxInFlight);
  return resolved;
}

/** Merges retry options over a base; `false` turns retries off. */
export function resolveRetry(
  option: RetryOptions | false | undefined,
  base: ResolvedRetry = DEFAULT_RETRY,
): ResolvedRetry {
  if (option === false) return { ...base, retries: 0 };
  const resolved = { ...base, ...option };
  if (!Number.isInteger(resolved.retries) || resolved.retries < 0) {
    throw new TypeError(
      `createPingbackClient: \`retry.retries\` must be a whole number ≥ 0, got ${String(resolved.retries)}.`,
    );
  }
  checkPositive("retry.baseDelayMs", resolved.baseDelayMs, { allowZero: true });
  checkPositive("retry.maxDelayMs", resolved.maxDelayMs, { allowZero: true });
  checkPositive("retry.maxRetryAfterMs", resolved.maxRetryAfterMs, { allowZero: true });
  return resolved;
}

export function resolveTimeout(timeoutMs: number | undefined): number {
  return checkPositive("timeoutMs", timeoutMs ?? DEFAULT_TIMEOUT_MS);
}
