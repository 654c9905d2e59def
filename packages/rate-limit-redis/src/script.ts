/**
 * The limiter, run atomically inside Redis: GCRA (the generic cell rate algorithm, a token bucket
 * kept as one timestamp) for the rate, leases for the requests in flight, one first-come
 * first-served line for every process of the account, and the same adaptation after a 429 as the
 * client's local limiter. Every time comes from Redis's own clock (TIME), so the processes' clocks
 * never have to agree.
 *
 * A slot is granted with its send time: the rate's next time is reserved at the grant (the caller
 * sleeps until then, without asking again), and the grant takes one of `maxInFlight` leases at
 * once. A caller that finds every lease taken, or others already waiting, joins the line; a
 * release grants the line's head and PUBLISHes "<ticket> <delayMs> <head> <expiresMs>" on the
 * account's channel, so a waiter asks Redis once and is then told, whatever the number of
 * processes. When the live processes changed since the last message that carried them, the
 * message goes on with " <procs> <now>" (procs: the live processes, comma-separated; now: Redis's
 * clock); otherwise it stops at expiresMs, so that a message stays short whatever the number of
 * processes (with the list in every message, N listeners × N ids made the channel grow as N²).
 *
 * A lease belongs to a process (`procs`: score = alive until). A process that holds leases is
 * alive for leaseMs after its last call (and renews them while its requests are open); one that
 * only waits is not asked to renew anything (score +inf): a grant renews it for leaseMs, and if it
 * died meanwhile, its lease runs out and its place in line goes. Only the process whose ticket
 * heads the line asks again when the soonest lease runs out, to free a dead holder's slot.
 *
 * KEYS[1]  a hash: tat (the theoretical arrival time of the next request, ms), slowest and
 *          slowedAt (the rate's slowdown after the last 429), seq (the line's counter), live (the
 *          live processes at the end of the last run) and untold ("1": they changed since the
 *          last message that carried them)
 * KEYS[2]  leases: a sorted set, member = ticket ("<process>:<n>"), score = its send time (ms)
 * KEYS[3]  the line: a sorted set, member = ticket, score = its place
 * KEYS[4]  procs: a sorted set, member = process id, score = alive until (ms)
 * ARGV     op ("acquire" | "release" | "heartbeat" | "leave" | "throttled"), msPerToken, capacity
 *          (tokens the client may spend at once: burst - reserve), maxInFlight, leaseMs,
 *          recoveryMs, channel, process, ticket, retryAfterMs, others (the process's tickets in
 *          line besides this one); a heartbeat's live tickets follow from ARGV[12]
 *
 * Every op returns {granted, delayMs, now, tat, rank, count, expiresMs, head, ...}: granted 1
 * with the delay until the send time (acquire), 0 when queued; now and tat on Redis's clock; the
 * process's rank among the live processes and their count (for the fallback's share); in how
 * long the soonest holder of a lease expires unless it answers (-1: no lease); the line's head
 * ("-": empty). A heartbeat appends ticket, delayMs for each lease the process holds, so a grant
 * whose message was lost is found.
 */
export const SCRIPT = `
local state, leases, line, procs = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local op = ARGV[1]
local msPerToken, capacity = tonumber(ARGV[2]), tonumber(ARGV[3])
local maxInFlight, leaseMs, recoveryMs = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local channel, proc, ticket = ARGV[7], ARGV[8], ARGV[9]
local retryAfterMs, others = tonumber(ARGV[10]), tonumber(ARGV[11])

local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local saved = redis.call("HMGET", state, "tat", "slowest", "slowedAt", "live", "untold")
local tat = math.max(tonumber(saved[1]) or now, now)
local slowest = tonumber(saved[2]) or 1
local slowedAt = tonumber(saved[3]) or -1e15
local speed = math.min(1, slowest + (now - slowedAt) / recoveryMs)
local interval = msPerToken / speed
local tolerance = (capacity - 1) * interval

local function owner(id) return string.match(id, "^[^:]+") end
local function alive(p) return redis.call("ZSCORE", procs, p) end
local function renew(p) redis.call("ZADD", procs, now + leaseMs, p) end
local function head() return redis.call("ZRANGE", line, 0, 0)[1] or "-" end
local headBefore = head()

-- The calling process answers: it is alive (for leaseMs more, if it holds leases; see the end).
if op == "leave" then
  redis.call("ZREM", procs, proc)
elseif op ~= "throttled" then
  renew(proc)
end
redis.call("ZREMRANGEBYSCORE", procs, "-inf", now)

if op == "throttled" then
  -- Both requests in flight may come back 429 together: that is one signal, not two.
  if now - slowedAt >= msPerToken then
    slowest = math.max(0.25, speed / 2)
    slowedAt = now
    interval = msPerToken / slowest
  end
  tat = math.max(tat, now + math.max(retryAfterMs, interval) + tolerance)
end

if op == "release" then
  redis.call("ZREM", line, ticket)
  redis.call("ZREM", leases, ticket)
end

-- A heartbeat says which tickets the process still has: any other of its tickets was lost (a
-- release or an abort that did not reach Redis) and goes. Leaving takes all of them.
if op == "heartbeat" or op == "leave" then
  local live = {}
  for i = 12, #ARGV do live[ARGV[i]] = true end
  for _, key in ipairs({leases, line}) do
    for _, id in ipairs(redis.call("ZRANGE", key, 0, -1)) do
      if owner(id) == proc and not live[id] then redis.call("ZREM", key, id) end
    end
  end
end

-- Leases of processes no longer alive are free again.
for _, id in ipairs(redis.call("ZRANGE", leases, 0, -1)) do
  if not alive(owner(id)) then redis.call("ZREM", leases, id) end
end

-- Reserves the rate's next time for a ticket and takes a lease: the ticket's delay until then.
-- Its process must answer within leaseMs (its release, any call) or the lease is free again.
local function grant(id)
  local at = math.max(now, tat - tolerance)
  tat = math.max(tat, now) + interval
  redis.call("ZADD", leases, at, id)
  renew(owner(id))
  return math.ceil(at - now)
end

-- The line's heads, first come first served, while leases are free. A process that only waits
-- is not asked to renew anything (its score is +inf): its grant is its test. A process that died
-- waiting holds its grants for one lease, and then its place goes.
local grants = {}
while redis.call("ZCARD", leases) < maxInFlight do
  local id = redis.call("ZRANGE", line, 0, 0)[1]
  if not id then break end
  redis.call("ZREM", line, id)
  if alive(owner(id)) then
    table.insert(grants, id .. " " .. grant(id))
  end
end

local granted, delay = 0, 0
if op == "acquire" then
  if redis.call("ZCARD", line) == 0 and redis.call("ZCARD", leases) < maxInFlight then
    granted, delay = 1, grant(ticket)
  else
    redis.call("ZADD", line, redis.call("HINCRBY", state, "seq", 1), ticket)
    others = others + 1
  end
end

-- The calling process: alive for leaseMs while it holds leases, for as long as its tickets wait
-- if it only waits, and gone when it has neither.
if op ~= "leave" and op ~= "throttled" then
  local holds = false
  for _, id in ipairs(redis.call("ZRANGE", leases, 0, -1)) do
    if owner(id) == proc then holds = true end
  end
  if not holds then
    if others > 0 then redis.call("ZADD", procs, "+inf", proc) else redis.call("ZREM", procs, proc) end
  end
end

redis.call("HSET", state, "tat", tat, "slowest", slowest, "slowedAt", slowedAt)
-- Kept for as long as it matters, so an idle account leaves nothing behind.
local ttl = math.ceil(math.max(leaseMs, recoveryMs, tat - now + tolerance) + 60000)
for _, key in ipairs({state, leases, line, procs}) do redis.call("PEXPIRE", key, ttl) end

-- By id, not by score (alive until): a renewal reorders the sorted set, not the live processes.
local members = redis.call("ZRANGE", procs, 0, -1)
table.sort(members)
local rank, count = 0, #members
for _, p in ipairs(members) do if p < proc then rank = rank + 1 end end
if not alive(proc) then count = count + 1 end
-- When the soonest owner of a lease expires unless it answers: the line's head asks then.
local expires = -1
for _, id in ipairs(redis.call("ZRANGE", leases, 0, -1)) do
  local untilMs = tonumber(alive(owner(id)))
  if untilMs and (expires < 0 or untilMs - now < expires) then expires = math.ceil(untilMs - now) end
end
-- Grants, and a new head of the line (whose process then watches the leases), are published.
local headAfter = head()
if #grants == 0 and headAfter ~= headBefore and headAfter ~= "-" then
  table.insert(grants, "- 0")
end
-- With the live processes when they changed since the last message that carried them (or the
-- state hash was lost), so that each process knows its share of the account if Redis fails; a
-- change in a run that publishes nothing is told by the next message. A listener that heard no
-- list since it subscribed knows its share from its own calls' replies (rank, count).
local live = table.concat(members, ",")
local untold = saved[4] ~= live or saved[5] == "1"
for _, g in ipairs(grants) do
  local message = {g, headAfter, expires}
  if untold then
    table.insert(message, live)
    table.insert(message, math.floor(now))
  end
  redis.call("PUBLISH", channel, table.concat(message, " "))
end
local stillUntold = (untold and #grants == 0) and "1" or "0"
-- Written only when it changed: a script's writes are replicated, and the list grows with N.
if saved[4] ~= live or saved[5] ~= stillUntold then
  redis.call("HSET", state, "live", live, "untold", stillUntold)
end
local reply = {granted, delay, math.floor(now), math.ceil(tat), rank, count, expires, headAfter}
if op == "heartbeat" then
  local held = redis.call("ZRANGE", leases, 0, -1, "WITHSCORES")
  for i = 1, #held, 2 do
    if owner(held[i]) == proc then
      table.insert(reply, held[i])
      table.insert(reply, math.ceil(tonumber(held[i + 1]) - now))
    end
  end
end
return reply
`;
