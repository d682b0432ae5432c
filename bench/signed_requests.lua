-- wrk script: POST pre-signed Twilio webhooks to /sms, each line of a file once.
--
--   wrk -t1 -c8 -d15s -s bench/signed_requests.lua http://127.0.0.1:PORT -- requests.tsv 1
--
-- The last argument is wrk's thread count (-t).
--
-- Each line of the file is "X-Twilio-Signature<TAB>form body". Thread n of N sends lines
-- n, n+N, n+2N, ... so no two requests share a MessageSid. Running past the end of the file
-- wraps around (duplicate MessageSids, which the app answers cheaply): `wrapped` in the
-- summary says it happened and the run's figures are then not valid.
-- done() prints one line "BENCH_JSON {...}" for bench/run_sms_bench.py.

local threads = {}
local counter = 1

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local stride = tonumber(args[2]) or 1
  local requests = {}
  local n = 0
  for line in io.lines(args[1]) do
    n = n + 1
    if (n - tid) % stride == 0 then
      local tab = line:find("\t", 1, true)
      local headers = {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Twilio-Signature"] = line:sub(1, tab - 1),
        ["User-Agent"] = "TwilioProxy/1.1",
      }
      requests[#requests + 1] = wrk.format("POST", "/sms", headers, line:sub(tab + 1))
    end
  end
  wrk_requests = requests
  total = #requests
  sent = 0
  wrapped = 0
end

function request()
  local r = wrk_requests[counter]
  sent = sent + 1
  counter = counter + 1
  if counter > total then
    counter = 1
    wrapped = wrapped + 1
  end
  return r
end

function done(summary, latency, requests)
  local sent_total, wrapped_total, lines = 0, 0, 0
  for _, thread in ipairs(threads) do
    sent_total = sent_total + (thread:get("sent") or 0)
    wrapped_total = wrapped_total + (thread:get("wrapped") or 0)
    lines = lines + (thread:get("total") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"sent":%d,"lines":%d,'
      .. '"wrapped":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes, sent_total, lines, wrapped_total,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max
  ))
end
