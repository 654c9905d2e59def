/**
 * @pingback/rate-limit-redis: one Pingback API rate limit for every process of an account, kept in
 * Redis, for `createPingbackClient({ rateLimit: { store } })`.
 */
export type { IoRedisLike, NodeRedisLike, RedisConnection } from "./connection.js";
export {
  createRedisRateLimitStore,
  RedisRateLimitStoreError,
  type RedisRateLimitStoreOptions,
} from "./store.js";
