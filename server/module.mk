# SPDX-License-Identifier: AGPL-3.0-or-later
# server: umbra-server (libmicrohttpd + libpq + jansson), its migrations in
# schema/, and its integration tests and benchmark.
SERVER_SRCS := $(filter-out server/page.c,$(wildcard server/*.c))
SERVER_OBJS  = $(SERVER_SRCS:%.c=$(O)/obj/%.o) $(O)/obj/server/page.o

$(O)/obj/server/%.o: CFLAGS_EXTRA = $(call pkg_cflags,$(PKGS_SERVER))

$(O)/umbra-server: $(SERVER_OBJS) $(O)/libumbra.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(SERVER_OBJS) $(LIBUMBRA_LIBS) \
	    $(call pkg_libs,$(PKGS_SERVER)) -lpthread

BINS += $(O)/umbra-server

.PHONY: test-server bench-server
test-server: $(O)/umbra-server $(O)/umbra-case $(O)/server_tool
	@O=$(O) tests/integration/with_server.sh tests/integration/server_test.py

# The signed alerts: push, every refusal, the page in 12 languages, the
# Atom and JSON feeds, edits in the database (docs/api.md "Alerts").
.PHONY: test-alerts
test-alerts: $(O)/umbra-server $(O)/umbra-case $(O)/server_tool
	@O=$(O) tests/integration/with_server.sh tests/integration/alerts_test.py
SUITES += test-alerts

# What serving 200 verified alerts costs (tests/bench/bench_alerts.py).
.PHONY: bench-alerts
bench-alerts: $(O)/umbra-server $(O)/umbra-case $(O)/server_tool
	@O=$(O) tests/integration/with_server.sh tests/bench/bench_alerts.py
BENCHES += bench-alerts

bench-server: $(O)/umbra-server $(O)/umbra-case $(O)/server_tool \
    $(O)/bench_server_kdf
	@O=$(O) tests/bench/bench_server.sh

SUITES += test-server

# How fast the mover empties a full spool into PostgreSQL (rows/s; compare
# binaries with BENCH_MOVER_SERVERS="label=path ...").
.PHONY: bench-mover
bench-mover: $(O)/umbra-server $(O)/umbra-case $(O)/server_tool
	@O=$(O) tests/integration/with_server.sh tests/bench/bench_mover.py
BENCHES += bench-mover

# Team sync (issue 15): keys publish, claims, per-member ack, the event log.
.PHONY: test-team-server
test-team-server: $(O)/umbra-server $(O)/umbra-case $(O)/server_tool
	@O=$(O) tests/integration/with_server.sh tests/integration/team_test.py

SUITES += test-team-server
# Retention: the server's own purge, its lock and sync's warning
# (tests/integration/retention_test.py; days set by SQL, not slept).
.PHONY: test-retention
test-retention: $(O)/umbra-server $(O)/umbra-case $(O)/server_tool
	@O=$(O) tests/integration/with_server.sh \
	    tests/integration/retention_test.py

SUITES += test-retention

# What the case events' retention costs in PostgreSQL
# (tests/bench/bench_retention.py).
.PHONY: bench-retention
bench-retention: $(O)/umbra-server $(O)/umbra-case $(O)/server_tool
	@O=$(O) tests/integration/with_server.sh tests/bench/bench_retention.py
BENCHES += bench-retention

# Many organisations on one host: per-organisation quotas (org set) and
# the landing list's links (tests/integration/orgquota_test.py).
.PHONY: test-org-quota
test-org-quota: $(O)/umbra-server $(O)/umbra-case
	@O=$(O) tests/integration/with_server.sh \
	    tests/integration/orgquota_test.py

SUITES += test-org-quota

# The database roles' whole privilege matrix (no server needed: migrate only).
.PHONY: test-roles
test-roles: $(O)/umbra-server $(O)/umbra-case
	@O=$(O) tests/integration/with_server.sh tests/integration/roles_test.py

SUITES += test-roles
ASAN_SUITES += test-server
BENCHES += bench-server

# A small libumbra helper for the server tests (mailbox keys, replies).
$(O)/obj/tests/integration/server_tool.o: CFLAGS_EXTRA = \
    $(call pkg_cflags,$(PKGS_CRYPTO))
$(O)/server_tool: $(O)/obj/tests/integration/server_tool.o $(O)/libumbra.a
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIBUMBRA_LIBS)

# "Argon2 alone" for bench-server: the pool's thread count and priority.
$(O)/obj/tests/bench/bench_server_kdf.o: CFLAGS_EXTRA = \
    $(call pkg_cflags,$(PKGS_CRYPTO))
$(O)/bench_server_kdf: $(O)/obj/tests/bench/bench_server_kdf.o $(O)/libumbra.a
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIBUMBRA_LIBS) -lpthread

# The no-JS path's metadata stripper, fuzzed on its own.
FUZZERS += imgmeta
FUZZ_SRCS_imgmeta = tests/fuzz/fuzz_imgmeta.c server/imgmeta.c

# The template engine on its own: table-driven cases (tests/unit).
$(O)/obj/tests/unit/template_test.o: CFLAGS_EXTRA = \
    -Itests/lib -Iclient-crypto/tests $(call pkg_cflags,$(PKGS_CRYPTO))
$(O)/template-test: $(O)/obj/tests/unit/template_test.o \
    $(O)/obj/server/template.o $(O)/obj/server/util.o $(O)/libumbra.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBUMBRA_LIBS)

.PHONY: test-template
test-template: $(O)/template-test tests/unit/template_cases.txt
	$(O)/template-test tests/unit/template_cases.txt

SUITES += test-template
ASAN_SUITES += test-template

FUZZ_SRCS_imgmeta = tests/fuzz/fuzz_imgmeta.c server/imgmeta.c server/util.c

# Unit tests of the server's helpers that need no daemon (form fields,
# little-endian loads and stores, thread stop and timed waits).
$(O)/obj/tests/unit/server_unit.o: CFLAGS_EXTRA = -Iserver \
    -Itests/lib $(call pkg_cflags,$(PKGS_SERVER))
$(O)/tests/server_unit: $(O)/obj/tests/unit/server_unit.o \
    $(O)/obj/server/body.o $(O)/obj/server/reply.o $(O)/obj/server/server.o \
    $(O)/obj/server/util.o $(O)/libumbra.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(LIBUMBRA_LIBS) \
	    $(call pkg_libs,$(PKGS_SERVER)) -lpthread

.PHONY: test-server-unit
test-server-unit: $(O)/tests/server_unit
	$(O)/tests/server_unit

SUITES += test-server-unit
ASAN_SUITES += test-server-unit

# Language choice: Accept-Language and ?lang= against the real catalogues.
$(O)/obj/tests/unit/i18n_test.o: CFLAGS_EXTRA = -Itests/lib \
    $(call pkg_cflags,$(PKGS_CRYPTO))
$(O)/i18n-test: $(O)/obj/tests/unit/i18n_test.o $(O)/obj/server/page.o \
    $(O)/obj/server/pageform.o \
    $(O)/obj/server/i18n.o $(O)/obj/server/template.o \
    $(O)/obj/server/webfiles.o $(O)/obj/server/content.o \
    $(O)/obj/server/util.o $(O)/libumbra.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBUMBRA_LIBS)

.PHONY: test-i18n
test-i18n: $(O)/i18n-test
	$(O)/i18n-test web

SUITES += test-i18n
ASAN_SUITES += test-i18n
