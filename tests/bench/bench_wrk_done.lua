-- SPDX-License-Identifier: AGPL-3.0-or-later
-- The report every bench-server wrk script prints when its run ends, loaded
-- by them with dofile: one line
--   WRK requests=N errors_status=N errors_conn=N secs=S p50_ms=X p99_ms=Y
--       p999_ms=Z
-- (errors_status: answers other than 2xx). With QUANTILES set, also the
-- latency distribution in that file as 1,000 lines "microseconds weight"
-- (the latency at each 0.1 % step, each weighing a thousandth of the
-- requests), so that several windows can be pooled into one percentile.
done = function(summary, latency, requests)
    io.write(string.format(
        "WRK requests=%d errors_status=%d errors_conn=%d secs=%.3f " ..
        "p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f\n",
        summary.requests, summary.errors.status,
        summary.errors.connect + summary.errors.read + summary.errors.write +
        summary.errors.timeout,
        summary.duration / 1e6, latency:percentile(50) / 1000,
        latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
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
