/** `createPingbackClient`: openapi-fetch for the spec's paths, with auth and a resilient transport. */
import { type paths, requiresApiKey } from "@pingback/types";
import createClient, { type Client, mergeHeaders } from "openapi-fetch";
import {
  checkApiKey,
  checkBaseUrl,
  DEFAULT_BASE_URL,
  type PingbackClientOptions,
  resolveRateLimit,
  resolveRetry,
  resolveTimeout,
} from "./options.js";
import { type PageItem, type PaginatedPath, type PaginateInit, paginate } from "./paginate.js";
import { serializePath } from "./path.js";
import { createRateLimiter } from "./rate-limit.js";
import { createDeadlines } from "./timeout.js";
import { type CallInfo, createTransport, type Fetch } from "./transport.js";

const METHODS = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"] as const;

/** The typed openapi-fetch client of the Pingback API, plus `paginate`. */
export interface PingbackClient extends Client<paths> {
  /**
   * Every item of a paginated list (`/contacts`, `/segments`), fetching page after page as the
   * loop asks for more. Throws `PingbackError` when a page fails.
   */
  paginate<P extends PaginatedPath>(
    path: P,
    init?: PaginateInit<P>,
  ): AsyncGenerator<PageItem<P>, void, undefined>;
}

export function createPingbackClient(options: PingbackClientOptions): PingbackClient {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("createPingbackClient: pass an options object: { apiKey, ... }.");
  }
  const apiKey = checkApiKey(options.apiKey);
  const rateLimit = resolveRateLimit(options.rateLimit);
  const policy = {
    limiter: rateLimit && createRateLimiter(rateLimit),
    deadlines: createDeadlines(),
    timeoutMs: resolveTimeout(options.timeoutMs),
    retry: resolveRetry(options.retry),
  };
  const client = createClient<paths>({
    baseUrl: checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL),
    // Looked up on each call, so a fetch replaced after construction (a test, a polyfill) is used.
    fetch: createTransport({
      ...policy,
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    }),
    pathSerializer: serializePath,
    // A plain object: openapi-fetch merges it into every request faster than a Headers.
    headers: Object.fromEntries(
      mergeHeaders(options.headers, {
        "x-api-key": apiKey,
        "x-developer-mode": options.developerMode ? "true" : undefined,
      }),
    ),
  });
  // Each call names its operation for error messages (openapi-fetch copies unknown init keys onto
  // the Request), and a request's own `fetch` is wrapped so the limit, retries and timeout apply.
  type Init = { fetch?: Fetch; signal?: AbortSignal; headers?: unknown } | undefined;
  const prepare = (method: string, url: unknown, init: Init): Init & CallInfo => ({
    ...init,
    // An operation whose `security` takes no key (a webhook intake) never gets it: the table is
    // generated from the spec, and openapi-fetch drops a header whose value is null.
    ...(!requiresApiKey(String(url), method) && { headers: withoutApiKey(init?.headers) }),
    pingbackOperation: `${method.toUpperCase()} ${String(url)}`,
    pingbackSignal: init?.signal,
    ...(init?.fetch && { fetch: createTransport({ ...policy, fetch: init.fetch }) }),
  });
  const loose = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const request = loose.request as (method: string, url: unknown, init: Init) => Promise<unknown>;
  loose.request = (method, url, init) =>
    request(method as string, url, prepare(method as string, url, init as Init));
  for (const method of METHODS) {
    loose[method] = (url, init) => request(method, url, prepare(method, url, init as Init));
  }
  return Object.assign(client, {
    paginate<P extends PaginatedPath>(path: P, init?: PaginateInit<P>) {
      return paginate(client.GET as Parameters<typeof paginate>[0], path, init);
    },
  });
}

/** A request's own headers, plus the instruction to send no `x-api-key` at all. */
function withoutApiKey(headers: unknown): Record<string, unknown> {
  const own =
    headers instanceof Headers || Array.isArray(headers)
      ? Object.fromEntries(new Headers(headers as HeadersInit))
      : (headers as Record<string, unknown> | undefined);
  return { ...own, "x-api-key": null };
}
