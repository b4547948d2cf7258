-- wrk script: stop after BENCH_REQUESTS answers and print "BENCH_RESULT <answers> <seconds> <non-200>".
-- wrk itself only stops at -d; bench/run.py interrupts it once this line is out.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local limit = tonumber(os.getenv("BENCH_REQUESTS") or "1000")
local count, bad, started = 0, 0, nil

init = function(args)
  started = now()
end

response = function(status, headers, body)
  count = count + 1
  if status ~= 200 then bad = bad + 1 end
  if count == limit then
    io.write(string.format("BENCH_RESULT %d %.6f %d\n", count, now() - started, bad))
    io.flush()
    wrk.thread:stop()
  end
end
