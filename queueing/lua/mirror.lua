-- Mirror agents' routing facts from the roster (classes served, on shift now), in one call.
-- KEYS[1] prefix
-- ARGV now (ms), then per agent: agent, on shift ("1"/"0"), classes served
--      (comma-separated "lang|skill")
-- returns each agent's live state, in the order given
local now = ARGV[1]
local states = {}
for i = 2, #ARGV, 3 do
  local agent, on_shift, caps = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local h = akey(agent)
  if redis.call('EXISTS', h) == 0 then
    redis.call('HSET', h, 'state', 'logged_out', 'since', now, 'idle_since', now, 'missed', 0,
      'entry', '', 'token', '')
    redis.call('SADD', P .. 'agents', agent)
  end
  set_idle(agent, false)
  set_staffed(agent, false)  -- the classes may change: leave the old ones' sets first
  redis.call('HSET', h, 'caps', caps, 'on_shift', on_shift)
  refresh(agent)
  states[#states + 1] = redis.call('HGET', h, 'state')
end
return states
