-- Shared helpers, prepended to every ACD script by queueing/scripts.py.
-- KEYS[1] is the key prefix "hl:{acd}:". Every key is built from it (per-class queues and
-- per-entry hashes cannot be listed up front), so all keys share one hash tag and the
-- scripts run unchanged on Redis Cluster. Time always arrives in ARGV (ms since the epoch).
--
-- Key schema (P = KEYS[1]):
--   P.."waiting"        ZSET entry -> score (global order; positions)
--   P.."q:"..class      ZSET entry -> score, one per requirement class "lang|skill"
--   P.."classes"        SET classes that may have waiting entries
--   P.."e:"..entry      HASH kind score priority vstart enq class state agent token offers
--                            connected_at; state is waiting | reserved | connected
--   P.."entries"        SET every live entry
--   P.."a:"..agent      HASH state since idle_since entry token missed caps on_shift
--   P.."agents"         SET every mirrored agent
--   P.."idle"           ZSET agent -> idle_since, available and on shift (any class)
--   P.."idle:"..class   ZSET the same, restricted to agents able to serve the class
--   P.."staffed"        SET agents on shift and logged in
--   P.."staffed:"..class SET the same, restricted to agents able to serve the class
--   P.."reservations"   ZSET entry -> deadline
--   P.."wrapups"        ZSET agent -> wrap-up end
--   P.."handle_times"   LIST recent handle times (ms), newest first
--   P.."journal"        STREAM every decision, for audits and the invariant tests
local P = KEYS[1]

local function ekey(entry) return P .. 'e:' .. entry end
local function akey(agent) return P .. 'a:' .. agent end

local function journal(now, kind, entry, agent, extra)
  redis.call('XADD', P .. 'journal', 'MAXLEN', '~', 200000, '*', 'at', now, 'kind', kind,
    'entry', entry or '', 'agent', agent or '', 'extra', extra or '')
end

local function caps_of(agent)
  local out = {}
  local caps = redis.call('HGET', akey(agent), 'caps')
  if caps then
    for cap in string.gmatch(caps, '[^,]+') do out[#out + 1] = cap end
  end
  return out
end

local function set_idle(agent, idle)
  local since = redis.call('HGET', akey(agent), 'idle_since') or '0'
  for _, cap in ipairs(caps_of(agent)) do
    if idle then
      redis.call('ZADD', P .. 'idle:' .. cap, since, agent)
    else
      redis.call('ZREM', P .. 'idle:' .. cap, agent)
    end
  end
  if idle then
    redis.call('ZADD', P .. 'idle', since, agent)
  else
    redis.call('ZREM', P .. 'idle', agent)
  end
end

local function set_staffed(agent, staffed)
  local op = staffed and 'SADD' or 'SREM'
  for _, cap in ipairs(caps_of(agent)) do
    redis.call(op, P .. 'staffed:' .. cap, agent)
  end
  redis.call(op, P .. 'staffed', agent)
end

-- Offerable means available and on shift; staffed means on shift and logged in.
local function refresh(agent)
  local a = redis.call('HMGET', akey(agent), 'state', 'on_shift')
  set_idle(agent, a[1] == 'available' and a[2] == '1')
  set_staffed(agent, a[2] == '1' and a[1] ~= false and a[1] ~= 'logged_out')
end

-- keep_idle: an agent freed through no fault of theirs keeps their place in the idle order.
local function move(agent, state, now, keep_idle)
  local h = akey(agent)
  redis.call('HSET', h, 'state', state, 'since', now)
  if state == 'available' and not keep_idle then
    redis.call('HSET', h, 'idle_since', now)
  end
  if state ~= 'reserved' and state ~= 'busy' then
    redis.call('HSET', h, 'entry', '', 'token', '')
  end
  if state ~= 'wrap_up' then
    redis.call('ZREM', P .. 'wrapups', agent)
  end
  refresh(agent)
end

local function enqueue_entry(entry)
  local e = redis.call('HMGET', ekey(entry), 'score', 'class')
  redis.call('ZADD', P .. 'waiting', e[1], entry)
  redis.call('ZADD', P .. 'q:' .. e[2], e[1], entry)
  redis.call('SADD', P .. 'classes', e[2])
  redis.call('HSET', ekey(entry), 'state', 'waiting', 'agent', '')
end

local function dequeue_entry(entry)
  local class = redis.call('HGET', ekey(entry), 'class')
  redis.call('ZREM', P .. 'waiting', entry)
  if class then redis.call('ZREM', P .. 'q:' .. class, entry) end
end

local function position(entry)
  local rank = redis.call('ZRANK', P .. 'waiting', entry)
  if rank then return rank + 1 end
  return 0
end

local function forget_entry(entry)
  dequeue_entry(entry)
  redis.call('ZREM', P .. 'reservations', entry)
  redis.call('DEL', ekey(entry))
  redis.call('SREM', P .. 'entries', entry)
end

-- An offer nobody answered: the entry takes back its old place and the agent counts a miss.
local function requeue(entry, agent, now, max_missed, kind)
  redis.call('ZREM', P .. 'reservations', entry)
  enqueue_entry(entry)
  local state = 'available'
  local missed = 0
  if redis.call('HGET', akey(agent), 'entry') == entry then
    missed = redis.call('HINCRBY', akey(agent), 'missed', 1)
    if missed >= max_missed then state = 'paused' end
    move(agent, state, now, false)
  end
  journal(now, kind, entry, agent, tostring(missed))
  return {missed, state}
end
