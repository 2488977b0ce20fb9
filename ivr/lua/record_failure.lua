-- Record one failed authentication and lock what has failed too often, in one round trip.
--
-- KEYS[1] hl:{ivr}:fails:ref:<reference>   sorted set of failures, scored by time (ms)
-- KEYS[2] hl:{ivr}:lock:ref:<reference>    string, present while the reference is locked
-- KEYS[3] hl:{ivr}:fails:num:<e164>        sorted set of failures from the caller's number
-- KEYS[4] hl:{ivr}:lock:num:<e164>         string, present while the number is locked
-- ARGV[1] now (ms since the epoch)
-- ARGV[2] a member unique to this failure
-- ARGV[3..5] reference: failure limit, window (ms), lock (ms); limit 0 skips the reference
-- ARGV[6..8] number: failure limit, window (ms), lock (ms); limit 0 skips the number
-- Returns {reference_locked, number_locked} as 0/1, after counting this failure.

local now = tonumber(ARGV[1])

local function count(fails, lock, limit, window, lock_ms)
  if limit <= 0 then
    return 0
  end
  redis.call('ZADD', fails, now, ARGV[2])
  redis.call('ZREMRANGEBYSCORE', fails, '-inf', now - window)
  redis.call('PEXPIRE', fails, window)
  if redis.call('ZCARD', fails) >= limit then
    redis.call('SET', lock, now, 'PX', lock_ms)
    redis.call('DEL', fails)
  end
  return redis.call('EXISTS', lock)
end

local ref = count(KEYS[1], KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
local num = count(KEYS[3], KEYS[4], tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]))
return {ref, num}
