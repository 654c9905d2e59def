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
import { createTransport } from "./transport.js";

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
  const transport = createTransport({
    // Looked up on each call, so a fetch replaced after construction (a test, a polyfill) is used.
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    limiter: rateLimit && createRateLimiter(rateLimit),
    timeoutMs: resolveTimeout(options.timeoutMs),
    retry: resolveRetry(options.retry),
  });
  const client = createClient<paths>({
    baseUrl: checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL),
    fetch: transport,
    pathSerializer: serializePath,
    headers: mergeHeaders(options.headers, {
      "x-api-key": apiKey,
      "x-developer-mode": options.developerMode ? "true" : undefined,
    }),
  });
  client.use(operationNames);
  return Object.assign(client, {
    paginate<P extends PaginatedPath>(path: P, init?: PaginateInit<P>) {
      return paginate(client.GET as Parameters<typeof paginate>[0], path, init);
    },
  });
}
