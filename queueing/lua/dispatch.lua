-- Reserve the best waiting entry for the longest-idle agent able to serve it.
-- KEYS[1] prefix
-- ARGV now (ms), skill relax after (ms), reservation timeout (ms)
-- returns {entry, agent, token} or false when nothing can be matched
-- Cost: O(classes x log n): only the head of each class queue can be the best match.
local now, relax, hold = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local best_entry, best_score, best_agent
for _, class in ipairs(redis.call('SMEMBERS', P .. 'classes')) do
  local head = redis.call('ZRANGE', P .. 'q:' .. class, 0, 0, 'WITHSCORES')
  if #head == 0 then
    redis.call('SREM', P .. 'classes', class)
  elseif best_score == nil or tonumber(head[2]) < best_score then
    local enq = tonumber(redis.call('HGET', ekey(head[1]), 'enq') or now)
    local pool = P .. 'idle:' .. class
    if now - enq >= relax then pool = P .. 'idle' end
    local agent = redis.call('ZRANGE', pool, 0, 0)[1]
    if agent then
      best_entry, best_score, best_agent = head[1], tonumber(head[2]), agent
    end
  end
end
if not best_entry then return false end
dequeue_entry(best_entry)
local offers = redis.call('HINCRBY', ekey(best_entry), 'offers', 1)
local token = best_entry .. '#' .. offers
redis.call('HSET', ekey(best_entry), 'state', 'reserved', 'agent', best_agent, 'token', token)
redis.call('ZADD', P .. 'reservations', now + hold, best_entry)
move(best_agent, 'reserved', now, true)
redis.call('HSET', akey(best_agent), 'entry', best_entry, 'token', token)
journal(now, 'offered', best_entry, best_agent, token)
return {best_entry, best_agent, token}
