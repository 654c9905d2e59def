/**
 * @pingback/rate-limit-redis: one Pingback API rate limit for every process of an account, kept in
 * Redis, for `createPingbackClient({ rateLimit: { store } })`.
 */
export type { IoRedisLike, NodeRedisLike, RedisConnection } from "./connection.js";
export {
  createRedisRateLimitStore,
  type RateLimitStore,
  type RedisRateLimitStore,
  RedisRateLimitStoreError,
  type RedisRateLimitStoreOptions,
  type Release,
} from "./store.js";
