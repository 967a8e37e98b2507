-- SPDX-License-Identifier: AGPL-3.0-or-later
-- wrk script: POST one envelope (read from the file named by ENVELOPE)
-- to the intake route named by PATH_INTAKE; the report at the end is
-- bench_wrk_done.lua's.
local f = assert(io.open(os.getenv("ENVELOPE"), "rb"))
local body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.path = os.getenv("PATH_INTAKE") or "/api/v1/orgs/alpha/reports"
wrk.body = body
wrk.headers["Content-Type"] = "application/octet-stream"

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "bench_wrk_done.lua")
