/**
 * The limiter, run atomically inside Redis: GCRA (the generic cell rate algorithm, a token bucket
 * kept as one timestamp) for the rate, a sorted set of leases for the requests in flight, and the
 * same adaptation after a 429 as the client's local limiter. Every time comes from Redis's own
 * clock (TIME), so the processes' clocks never have to agree.
 *
 * KEYS[1]  a hash: tat (the theoretical arrival time of the next request, ms), slowest and
 *          slowedAt (the rate's slowdown after the last 429)
 * KEYS[2]  a sorted set of leases: member = lease id, score = the lease's expiry (ms)
 * ARGV     op ("acquire" | "release" | "throttled"), msPerToken, capacity (tokens the client may
 *          spend at once: burst - reserve), maxInFlight, leaseMs, recoveryMs, leaseId, retryAfterMs
 *
 * acquire returns {1, 0} with the slot taken, or {0, waitMs, why}: why 1 = the rate, 2 = every
 * slot in flight is leased (waitMs is then when the soonest lease expires).
 */
export const SCRIPT = `
local state, leases = KEYS[1], KEYS[2]
local op = ARGV[1]
local msPerToken, capacity = tonumber(ARGV[2]), tonumber(ARGV[3])
local maxInFlight, leaseMs, recoveryMs = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local leaseId, retryAfterMs = ARGV[7], tonumber(ARGV[8])

if op == "release" then
  redis.call("ZREM", leases, leaseId)
  return {1, 0}
end

local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local saved = redis.call("HMGET", state, "tat", "slowest", "slowedAt")
local tat = math.max(tonumber(saved[1]) or now, now)
local slowest = tonumber(saved[2]) or 1
local slowedAt = tonumber(saved[3]) or -1e15
local speed = math.min(1, slowest + (now - slowedAt) / recoveryMs)
local interval = msPerToken / speed
local tolerance = (capacity - 1) * interval
-- Kept for as long as it matters, so an idle account leaves nothing behind.
local ttl = math.ceil(math.max(leaseMs, recoveryMs, tat - now + tolerance) + 60000)

if op == "throttled" then
  -- Both requests in flight may come back 429 together: that is one signal, not two.
  if now - slowedAt >= msPerToken then
    slowest = math.max(0.25, speed / 2)
    slowedAt = now
    interval = msPerToken / slowest
  end
  local pause = math.max(retryAfterMs, interval)
  tat = math.max(tat, now + pause + tolerance)
  redis.call("HSET", state, "tat", tat, "slowest", slowest, "slowedAt", slowedAt)
  redis.call("PEXPIRE", state, ttl + math.ceil(pause))
  return {1, 0}
end

redis.call("ZREMRANGEBYSCORE", leases, "-inf", now)
if redis.call("ZCARD", leases) >= maxInFlight then
  local soonest = redis.call("ZRANGE", leases, 0, 0, "WITHSCORES")
  return {0, math.ceil(tonumber(soonest[2]) - now), 2}
end
local allowedAt = tat - tolerance
if allowedAt > now then
  return {0, math.ceil(allowedAt - now), 1}
end
redis.call("HSET", state, "tat", tat + interval)
redis.call("PEXPIRE", state, ttl)
redis.call("ZADD", leases, now + leaseMs, leaseId)
redis.call("PEXPIRE", leases, ttl)
return {1, 0}
`;
