-- wrk script for bench.webhooks: replay pre-signed Twilio webhooks and check every answer.
--
-- Args (after --): DIR TAG CYCLE DELAY_MS
--   DIR/<n>.tsv   thread n's requests, one a line: step \t path \t signature \t form body
--   DIR/checks.tsv  step \t text every answer to that step must contain ("*" applies to all)
--   DIR/forbid.txt  text no answer may contain (the apology)
--   TAG       prefix of the idempotency tokens, unique per phase
--   CYCLE     1: start the file again when done (hold loop, static); 0: stop the thread
--   DELAY_MS  pause before each request (0: as fast as answers come back)
-- wrk runs one connection per thread here, so a thread's requests (a call's steps) are sent
-- in file order, each after the previous answer, as Twilio does for one call.
-- done() prints one line: BENCH {json}; failures print BENCH-SAMPLE lines.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

local function lines(path)
  local out = {}
  local file = assert(io.open(path, "r"))
  for line in file:lines() do
    table.insert(out, line)
  end
  file:close()
  return out
end

local function split(line)
  local fields = {}
  for field in string.gmatch(line, "([^\t]*)\t?") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  local dir = args[1]
  tag, cycle = args[2], args[3] == "1"
  local pause = tonumber(args[4]) or 0
  queue, pos, sent, current = {}, 1, 0, nil
  failed, verified, exhausted, sample = 0, 0, 0, ""
  for _, line in ipairs(lines(dir .. "/" .. id .. ".tsv")) do
    local f = split(line)
    table.insert(queue, { step = f[1], path = f[2], sig = f[3], body = f[4] })
  end
  checks = {}
  for _, line in ipairs(lines(dir .. "/checks.tsv")) do
    local f = split(line)
    checks[f[1]] = f[2]
  end
  forbid = lines(dir .. "/forbid.txt")[1]
  headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  -- wrk calls request() once on the first thread's state to check it, and never sends that.
  checking = id == 1
  if pause > 0 then
    function delay()
      return pause
    end
  end
end

function request()
  if checking then
    checking = false
    return wrk.format("POST", queue[1].path, headers, queue[1].body)
  end
  if pos > #queue then
    if not cycle then
      exhausted = 1
      wrk.thread:stop()
    end
    pos = 1
  end
  local r = queue[pos]
  pos, sent, current = pos + 1, sent + 1, r.step
  headers["X-Twilio-Signature"] = r.sig
  headers["I-Twilio-Idempotency-Token"] = tag .. "-" .. id .. "-" .. sent
  return wrk.format("POST", r.path, headers, r.body)
end

local function fail(status, body)
  failed = failed + 1
  if sample == "" then
    sample = current .. " " .. status .. " " .. string.gsub(body or "", "\n", " ")
  end
end

function response(status, _, body)
  if status ~= 200 or string.find(body, forbid, 1, true) then
    return fail(status, body)
  end
  local want = checks[current] or checks["*"]
  if want and not string.find(body, want, 1, true) then
    return fail(status, body)
  end
  if current == "dob" then
    verified = verified + 1
  end
end

function done(summary, latency, _)
  local f, v, x = 0, 0, 0
  for _, t in ipairs(threads) do
    f, v, x = f + t:get("failed"), v + t:get("verified"), x + t:get("exhausted")
    local s = t:get("sample")
    if s ~= "" then
      io.write("BENCH-SAMPLE " .. s .. "\n")
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p99_us": %d, '
      .. '"mean_us": %.1f, "failed": %d, "verified": %d, "exhausted": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean, f, v, x
  ))
end
