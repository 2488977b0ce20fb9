-- An offer could not be delivered (Twilio refused the redirect or was unreachable): not the
-- agent's fault. The entry takes back its exact place and the agent is available again,
-- keeping their place in the idle order, with no missed offer counted.
-- KEYS[1] prefix
-- ARGV entry, agent, token, now (ms)
-- returns {"requeued", position} | {"stale", entry state or "gone"}
local entry, agent, token, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local e = redis.call('HMGET', ekey(entry), 'state', 'token', 'agent')
if e[1] ~= 'reserved' or e[2] ~= token or e[3] ~= agent then
  return {'stale', e[1] or 'gone'}
end
redis.call('ZREM', P .. 'reservations', entry)
enqueue_entry(entry)
if redis.call('HGET', akey(agent), 'entry') == entry then
  move(agent, 'available', now, true)
end
journal(now, 'offer_failed', entry, agent, token)
return {'requeued', position(entry)}
