-- wrk script: the no-JavaScript report form with a reply wanted (so each
-- request costs one Argon2 mailbox derivation, a seal and a commit).
wrk.method = "POST"
wrk.path = "/report"
wrk.body = "org=alpha&lang=en&categories=robbery&reply=yes&" ..
           "narrative=a+short+benchmark+report"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

done = function(summary, latency, requests)
    io.write(string.format(
        "WRK requests=%d errors_status=%d errors_conn=%d secs=%.3f " ..
        "p50_ms=%.2f p99_ms=%.2f\n",
        summary.requests, summary.errors.status,
        summary.errors.connect + summary.errors.read + summary.errors.write +
        summary.errors.timeout,
        summary.duration / 1e6, latency:percentile(50) / 1000,
        latency:percentile(99) / 1000))
end
