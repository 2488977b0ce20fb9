-- An offer's leg ended: finish a connected entry (agent to wrap-up) or requeue an unanswered one.
-- KEYS[1] prefix
-- ARGV entry, agent, token, now (ms), wrap-up (ms), missed offers before pause, journal kind
-- returns {"finished", handle ms} | {"requeued", missed, agent state} | {"stale", state|"gone"}
local entry, agent, token, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local wrap, max_missed, kind = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local e = redis.call('HMGET', ekey(entry), 'state', 'token', 'connected_at')
if e[2] ~= token or e[1] == 'waiting' or not e[1] then
  return {'stale', e[1] or 'gone'}
end
if e[1] == 'reserved' then
  local r = requeue(entry, agent, now, max_missed, kind)
  return {'requeued', r[1], r[2]}
end
local handled = now - tonumber(e[3])
redis.call('LPUSH', P .. 'handle_times', handled)
redis.call('LTRIM', P .. 'handle_times', 0, 49)
forget_entry(entry)
if redis.call('HGET', akey(agent), 'entry') == entry then
  if wrap > 0 then
    move(agent, 'wrap_up', now, false)
    redis.call('ZADD', P .. 'wrapups', now + wrap, agent)
  else
    move(agent, 'available', now, false)
  end
end
journal(now, 'finished', entry, agent, tostring(handled))
return {'finished', handled}
