-- Mirror one agent's routing facts from the roster (classes served, on shift now).
-- KEYS[1] prefix
-- ARGV agent, on shift ("1"/"0"), classes served (comma-separated "lang|skill"), now (ms)
-- returns the agent's live state
local agent, on_shift, caps, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local h = akey(agent)
if redis.call('EXISTS', h) == 0 then
  redis.call('HSET', h, 'state', 'logged_out', 'since', now, 'idle_since', now, 'missed', 0,
    'entry', '', 'token', '')
  redis.call('SADD', P .. 'agents', agent)
end
set_idle(agent, false)
redis.call('HSET', h, 'caps', caps, 'on_shift', on_shift)
refresh(agent)
return redis.call('HGET', h, 'state')
