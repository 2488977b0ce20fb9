-- The caller hung up before being connected: drop the entry, free any agent it reserved.
-- KEYS[1] prefix
-- ARGV entry, now (ms)
-- returns {"abandoned", position, wait ms, previous state} | {"connected"} | {"gone"}
local entry, now = ARGV[1], tonumber(ARGV[2])
local e = redis.call('HMGET', ekey(entry), 'state', 'agent', 'enq')
if not e[1] then return {'gone'} end
if e[1] == 'connected' then return {'connected'} end
local pos = position(entry)
if e[1] == 'reserved' and redis.call('HGET', akey(e[2]), 'entry') == entry then
  move(e[2], 'available', now, true)
end
forget_entry(entry)
journal(now, 'abandoned', entry, e[2], tostring(pos))
return {'abandoned', pos, now - tonumber(e[3]), e[1]}
