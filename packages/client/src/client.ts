/** `createPingbackClient`: openapi-fetch for the spec's paths, with auth and a resilient transport. */
import type { paths } from "@pingback/types";
import createClient, { type Client, mergeHeaders } from "openapi-fetch";
import { operationNames } from "./operation.js";
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
import { createTransport, type Fetch } from "./transport.js";

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
    throw new TypeError(
      "createPingbackClient: pass an options object, e.g. createPingbackClient({ apiKey }).",
    );
  }
  const apiKey = checkApiKey(options.apiKey);
  const rateLimit = resolveRateLimit(options.rateLimit);
  const policy = {
    limiter: rateLimit && createRateLimiter(rateLimit),
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
    headers: mergeHeaders(options.headers, {
      "x-api-key": apiKey,
      "x-developer-mode": options.developerMode ? "true" : undefined,
    }),
  });
  client.use(operationNames);
  // A request's own `fetch` would replace the transport; wrap it so the limit, retries and timeout
  // still apply to it.
  type Init = { fetch?: Fetch } | undefined;
  const own = (init: Init) =>
    init?.fetch ? { ...init, fetch: createTransport({ ...policy, fetch: init.fetch }) } : init;
  const loose = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of METHODS) {
    const send = loose[method] as (url: unknown, init: Init) => Promise<unknown>;
    loose[method] = (url, init) => send(url, own(init as Init));
  }
  const request = loose.request as (method: unknown, url: unknown, init: Init) => Promise<unknown>;
  loose.request = (method, url, init) => request(method, url, own(init as Init));
  return Object.assign(client, {
    paginate<P extends PaginatedPath>(path: P, init?: PaginateInit<P>) {
      return paginate(client.GET as Parameters<typeof paginate>[0], path, init);
    },
  });
}
