-- One rate-limit check against a user's sliding window, atomic inside Redis.
--
-- KEYS[1]  the user's window (see SlidingWindow.key): a sorted set with one member per allowed request,
--          scored by Redis server time in microseconds.
-- ARGV[1]  limit: requests allowed per window (>= 1)
-- ARGV[2]  window length in microseconds
-- ARGV[3]  member for this request, unique per request (the caller's responsibility)
--
-- Entries older than the window are dropped first; the request is recorded only when it fits, so a rejected
-- request does not consume the window. The key expires when its newest entry ages out.
--
-- Returns {allowed (1 or 0), requests in the window including this one if allowed,
--          microseconds until a request can be allowed (0 when allowed),
--          microseconds until the window is empty again}.

if redis.replicate_commands then
  redis.replicate_commands() -- Redis < 5: replicate effects, so TIME may precede writes
end

local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])

redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local allowed = 0
if count < limit then
  redis.call('ZADD', key, now, ARGV[3])
  count = count + 1
  allowed = 1
end

local retry = 0
if allowed == 0 then
  -- Room for one more once every entry up to rank (count - limit) has aged out: with the usual count == limit
  -- that is the oldest entry; more when the user's limit was lowered (premium to free).
  local entry = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
  retry = tonumber(entry[2]) + window - now
end

local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
local reset = tonumber(newest[2]) + window - now
redis.call('PEXPIRE', key, math.ceil(reset / 1000))

return {allowed, count, retry, reset}
