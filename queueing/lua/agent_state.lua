-- Change an agent's live state on their request (log in/out, available, break, end wrap-up).
-- KEYS[1] prefix
-- ARGV agent, action (available | break | logout | finish_wrap), now (ms)
-- returns {"ok", new state, old state} | {"refused", current state} | {"unknown"}
local agent, action, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local state = redis.call('HGET', akey(agent), 'state')
if not state then return {'unknown'} end
local allowed = {
  available = {logged_out = 1, available = 1, ['break'] = 1, paused = 1, wrap_up = 1},
  ['break'] = {available = 1, ['break'] = 1, paused = 1, wrap_up = 1},
  logout = {logged_out = 1, available = 1, ['break'] = 1, paused = 1, wrap_up = 1},
  finish_wrap = {wrap_up = 1},
}
local target = {available = 'available', ['break'] = 'break', logout = 'logged_out',
  finish_wrap = 'available'}
if not allowed[action] or not allowed[action][state] then return {'refused', state} end
if target[action] ~= state then
  move(agent, target[action], now, false)
  if action == 'available' then redis.call('HSET', akey(agent), 'missed', 0) end
  journal(now, 'state', '', agent, target[action])
end
return {'ok', target[action], state}
