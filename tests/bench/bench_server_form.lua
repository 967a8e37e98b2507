-- SPDX-License-Identifier: AGPL-3.0-or-later
-- wrk script: the no-JavaScript report form with a reply wanted (so each
-- request costs one Argon2 mailbox derivation, a seal and a commit); the
-- report at the end is bench_wrk_done.lua's.
wrk.method = "POST"
wrk.path = "/report"
wrk.body = "org=alpha&lang=en&categories=robbery&reply=yes&" ..
           "narrative=a+short+benchmark+report"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "bench_wrk_done.lua")
