-- Record one failed authentication and lock what has failed too often, in one round trip.
--
-- Counters come in pairs of keys, one pair per thing being limited:
-- KEYS[1] hl:{ivr}:fails:ref:<reference>   sorted set of failures, scored by time (ms)
-- KEYS[2] hl:{ivr}:lock:ref:<reference>    string, present while the reference is locked
-- KEYS[3] hl:{ivr}:fails:num:<e164>        sorted set of failures from the caller's number
-- KEYS[4] hl:{ivr}:lock:num:<e164>         string, present while the number is locked
-- KEYS[5] hl:{ivr}:fails:wref:<reference>  failures on the reference from withheld numbers
-- KEYS[6] hl:{ivr}:lock:wref:<reference>   present while withheld callers of it are locked
-- ARGV[1] now (ms since the epoch)
-- ARGV[2] a member unique to this failure
-- ARGV[3..5], [6..8], [9..11] for each pair in turn: failure limit, window (ms), lock (ms);
--   a limit of 0 skips that pair
-- Returns one 0/1 per pair: whether it is locked after counting this failure.

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

local locked = {}
for pair = 1, #KEYS / 2 do
  local arg = 3 + (pair - 1) * 3
  locked[pair] = count(KEYS[pair * 2 - 1], KEYS[pair * 2],
    tonumber(ARGV[arg]), tonumber(ARGV[arg + 1]), tonumber(ARGV[arg + 2]))
end
return locked
