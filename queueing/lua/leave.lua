-- Take a waiting entry out of the queue (caller chose a callback), handing back its place.
-- KEYS[1] prefix
-- ARGV entry, now (ms)
-- returns {"left", priority, virtual start ms, position, wait ms} | {"busy", state} | {"gone"}
local entry, now = ARGV[1], tonumber(ARGV[2])
local e = redis.call('HMGET', ekey(entry), 'state', 'priority', 'vstart', 'enq')
if not e[1] then return {'gone'} end
if e[1] ~= 'waiting' then return {'busy', e[1]} end
local pos = position(entry)
forget_entry(entry)
journal(now, 'left', entry, '', tostring(pos))
return {'left', tonumber(e[2]), tonumber(e[3]), pos, now - tonumber(e[4])}
