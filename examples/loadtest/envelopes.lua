-- envelopes.lua posts the requests TestIngestLoad prepared, one after the
-- other, round and round, and counts the answers by status code.
--
-- wrk runs this script in one Lua state per thread plus one for setup()
-- and done(). Its only argument, after "--", is a manifest: one request a
-- line, tab-separated, as
--
--   TARGET  BODY-FILE  HEADER-NAME  HEADER-VALUE  ...
--
-- Every request is formatted once, at init, so that request() costs no more
-- than returning a string: the load generator shares the machine with the
-- server it measures.

local threads = {}

-- setup runs in the main state, once per thread, before that thread's
-- init: it numbers the threads, so each starts at a different request, and
-- keeps them for done().
function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

local requests = {}
local n = 0
local i = 0
statuses = {} -- global: done() reads it with thread:get

function init(args)
   local manifest = assert(args[1], "envelopes.lua: usage: wrk ... -s envelopes.lua URL -- MANIFEST")
   for line in io.lines(manifest) do
      local f = {}
      for field in line:gmatch("[^\t]+") do
         f[#f + 1] = field
      end
      local headers = {}
      for k = 3, #f - 1, 2 do
         headers[f[k]] = f[k + 1]
      end
      local fh = assert(io.open(f[2], "rb"))
      local body = fh:read("*a")
      fh:close()
      n = n + 1
      requests[n] = wrk.format("POST", f[1], headers, body)
   end
   assert(n > 0, "envelopes.lua: no requests in " .. manifest)
   i = (id or 0) % n
end

function request()
   i = i % n + 1
   return requests[i]
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

-- done prints what the test asserts on, as key=value pairs on lines that
-- start with "loadtest:"; wrk's own report above them is for people.
-- Durations are in microseconds, as wrk measures them.
function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "loadtest: requests=%d duration_us=%d bytes=%d err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
      summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout))
   io.write(string.format(
      "loadtest: p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%d\n",
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency:percentile(99.9), latency.max, math.floor(latency.mean)))
   local total = {}
   for _, t in ipairs(threads) do
      for status, count in pairs(t:get("statuses")) do
         total[status] = (total[status] or 0) + count
      end
   end
   local parts = {}
   for status, count in pairs(total) do
      parts[#parts + 1] = string.format("status_%d=%d", status, count)
   end
   table.sort(parts)
   io.write("loadtest: " .. table.concat(parts, " ") .. "\n")
end
