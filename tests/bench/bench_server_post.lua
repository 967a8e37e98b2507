-- wrk script: POST one envelope (read from the file named by ENVELOPE)
-- to the intake route named by PATH, and report latency percentiles.
-- With QUANTILES set, also write the latency distribution to that file as
-- 1,000 lines "microseconds weight" (the latency at each 0.1 % step, each
-- weighing a thousandth of the requests), so that several windows can be
-- pooled into one percentile.
local f = assert(io.open(os.getenv("ENVELOPE"), "rb"))
local body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.path = os.getenv("PATH_INTAKE") or "/api/v1/orgs/alpha/reports"
wrk.body = body
wrk.headers["Content-Type"] = "application/octet-stream"

done = function(summary, latency, requests)
    io.write(string.format(
        "WRK requests=%d errors_status=%d errors_conn=%d secs=%.3f " ..
        "p50_ms=%.2f p99_ms=%.2f\n",
        summary.requests, summary.errors.status,
        summary.errors.connect + summary.errors.read + summary.errors.write +
        summary.errors.timeout,
        summary.duration / 1e6, latency:percentile(50) / 1000,
        latency:percentile(99) / 1000))
    local qfile = os.getenv("QUANTILES")
    if qfile then
        local q = assert(io.open(qfile, "w"))
        local w = summary.requests / 1000
        for k = 0, 999 do
            q:write(string.format("%d %.3f\n",
                latency:percentile((k + 0.5) / 10), w))
        end
        q:close()
    end
end
