/**
 * @pingback/client: the typed openapi-fetch client of the Pingback Connect API v2, with auth, the
 * API's rate limit, retries, timeouts, typed errors and pagination.
 */
export { createPingbackClient, type PingbackClient } from "./client.js";
export {
  type CallPhase,
  isPingbackError,
  PingbackAbortError,
  PingbackError,
  type PingbackErrorInit,
  PingbackNetworkError,
  PingbackPaginationError,
  PingbackRedirectError,
  PingbackTimeoutError,
} from "./errors.js";
export type {
  FailureReason,
  PingbackEvent,
  PingbackEventOf,
  PingbackObserver,
} from "./events.js";
export {
  DEFAULT_BASE_URL,
  DEFAULT_RATE_LIMIT,
  type PingbackClientOptions,
  type PingbackRequestOptions,
  type RateLimitOptions,
  type RetryEvent,
  type RetryOptions,
} from "./options.js";
export { type FetchResult, orThrow, type SuccessData } from "./or-throw.js";
export type {
  PageItem,
  PageProgress,
  PaginatedPath,
  PaginatedPathOf,
  PaginateInit,
} from "./paginate.js";
export {
  createLocalRateLimitStore,
  type RateLimitStore,
  type Release,
} from "./rate-limit.js";
