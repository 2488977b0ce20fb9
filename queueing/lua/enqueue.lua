-- Put an entry in the queue at its place (idempotent: a repeat returns the current position).
-- KEYS[1] prefix
-- ARGV entry, priority, virtual start (ms), class "lang|skill", now (ms), ageing ms per level
-- returns {"queued"|"exists", position}
local entry, priority, vstart = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local class, now, ageing = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
if redis.call('EXISTS', ekey(entry)) == 1 then
  return {'exists', position(entry)}
end
-- Priority is a head start in time, so waiting ages every entry at the same rate and a
-- lower tier overtakes a newer higher tier once it has waited `ageing` ms per level.
local score = vstart - priority * ageing
local kind = string.match(entry, '^([^:]+):') or 'call'
redis.call('HSET', ekey(entry), 'kind', kind, 'score', score, 'priority', priority,
  'vstart', vstart, 'enq', now, 'class', class, 'offers', 0, 'token', '')
redis.call('SADD', P .. 'entries', entry)
enqueue_entry(entry)
journal(now, 'queued', entry, '', class)
return {'queued', position(entry)}
