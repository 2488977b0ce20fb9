-- The agent answered an offer: connect the entry to them, once.
-- KEYS[1] prefix
-- ARGV entry, agent, token, now (ms)
-- returns {"accepted", wait ms} or {"stale", entry state or "gone"}
local entry, agent, token, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local e = redis.call('HMGET', ekey(entry), 'state', 'token', 'agent', 'enq')
if e[1] ~= 'reserved' or e[2] ~= token or e[3] ~= agent then
  return {'stale', e[1] or 'gone'}
end
redis.call('ZREM', P .. 'reservations', entry)
redis.call('HSET', ekey(entry), 'state', 'connected', 'connected_at', now)
move(agent, 'busy', now, true)
redis.call('HSET', akey(agent), 'entry', entry, 'token', token, 'missed', 0)
journal(now, 'accepted', entry, agent, token)
return {'accepted', now - tonumber(e[4])}
