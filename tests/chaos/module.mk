# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/chaos: attack tests against the real umbra-server and PostgreSQL,
# loopback only and bounded in time (see each test's top comment).
#
#   test-chaos  SIGKILL of the server and crash of PostgreSQL under load;
#               every acknowledged report must open in the case store
#   test-slow   slow headers, slow body, slow reading, 1,000 idle
#               connections against honest submissions (success, p99)
#   test-leak   end-to-end run, then every file the server and PostgreSQL
#               wrote scanned for canaries; no core files on a crash
.PHONY: test-chaos test-slow test-leak test-hostile-server

ATTACK_DEPS = $(O)/umbra-server $(O)/umbra-case $(O)/server_tool

test-chaos: $(ATTACK_DEPS)
	@O=$(O) tests/chaos/run.sh tests/chaos/chaos.py

SUITES += test-chaos
ASAN_SUITES += test-chaos

test-slow: $(ATTACK_DEPS)
	@O=$(O) tests/chaos/run.sh tests/chaos/slow.py

SUITES += test-slow

test-leak: $(ATTACK_DEPS)
	@O=$(O) tests/chaos/run.sh tests/leak/leak.py

SUITES += test-leak
ASAN_SUITES += test-leak

# ---- fuzz_http (tests/fuzz/module.mk runs it in fuzz-brief and fuzz) -----
# The harness includes server/orgs.c itself (for the organisations'
# snapshot) and links the server's other sources but main.c; it starts
# the daemon with http.c's own callbacks.
FUZZERS += http
FUZZ_SRCS_http = tests/fuzz/fuzz_http.c \
    $(filter-out server/orgs.c server/main.c,$(wildcard server/*.c))
FUZZ_CFLAGS_http = -Iserver $(call pkg_cflags,libmicrohttpd libpq)
FUZZ_LIBS_http = $(call pkg_libs,libmicrohttpd libpq)
$(O)/fuzz/http: $(wildcard server/*.h) server/orgs.c

# A seized server's answers against umbra-case pull.
test-hostile-server: $(ATTACK_DEPS)
	@O=$(O) tests/chaos/run.sh tests/chaos/hostile_server.py

SUITES += test-hostile-server
ASAN_SUITES += test-hostile-server
