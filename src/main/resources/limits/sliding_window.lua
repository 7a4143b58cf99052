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
if count < limit then
  redis.call('ZADD', key, now, ARGV[3])
  -- This entry is the newest: the window empties (and the key may go) one window from now.
  redis.call('PEXPIRE', key, math.ceil(window / 1000))
  return {1, count + 1, 0, window}
end

-- Rejected: nothing recorded, so the key keeps the expiry its newest entry set. Room for one more once every
-- entry up to rank (count - limit) has aged out: with the usual count == limit that is the oldest entry; more
-- when the user's limit was lowered (premium to free).
local entry = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
return {0, count, tonumber(entry[2]) + window - now, tonumber(newest[2]) + window - now}
