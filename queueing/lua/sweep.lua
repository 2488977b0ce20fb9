-- Repair what events missed: expire reservations, end wrap-ups, free agents whose entry is gone.
-- KEYS[1] prefix
-- ARGV now (ms), missed offers before pause, max items per kind
-- returns {{entry, agent, ...} requeued on timeout, {agent, ...} out of wrap-up, {agent, ...} freed}
local now, max_missed, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local expired, wrapped, freed = {}, {}, {}
for _, entry in ipairs(redis.call('ZRANGEBYSCORE', P .. 'reservations', '-inf', now,
    'LIMIT', 0, limit)) do
  local agent = redis.call('HGET', ekey(entry), 'agent')
  if agent and agent ~= '' then
    requeue(entry, agent, now, max_missed, 'timeout')
    expired[#expired + 1] = entry
    expired[#expired + 1] = agent
  else
    redis.call('ZREM', P .. 'reservations', entry)
  end
end
for _, agent in ipairs(redis.call('ZRANGEBYSCORE', P .. 'wrapups', '-inf', now,
    'LIMIT', 0, limit)) do
  if redis.call('HGET', akey(agent), 'state') == 'wrap_up' then
    move(agent, 'available', now, false)
    journal(now, 'wrapped', '', agent, '')
    wrapped[#wrapped + 1] = agent
  end
  redis.call('ZREM', P .. 'wrapups', agent)
end
for _, agent in ipairs(redis.call('SMEMBERS', P .. 'agents')) do
  local a = redis.call('HMGET', akey(agent), 'state', 'entry')
  if a[1] == 'reserved' or a[1] == 'busy' then
    if redis.call('HGET', ekey(a[2]), 'agent') ~= agent then
      move(agent, 'available', now, true)
      journal(now, 'freed', a[2], agent, a[1])
      freed[#freed + 1] = agent
    end
  end
end
return {expired, wrapped, freed}
