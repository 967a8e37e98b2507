# SPDX-License-Identifier: AGPL-3.0-or-later
# caseworker: umbra-case, the offline caseworker tool.
#
# Every caseworker/*.c is part of umbra-case (stats*.c included: the STATS
# part adds only its own tests and rules in caseworker/stats.mk). The tool's
# objects minus main.o form build/libcase.a, which the unit tests, the
# benchmark and the fuzz harness link.
CASE_SRCS := $(wildcard caseworker/*.c)
# The store's schema: caseworker/schema/NNN_*.sql embedded as a C table.
CASE_SQL := $(sort $(wildcard caseworker/schema/*.sql))
CASE_SCHEMA_C = $(O)/gen/caseworker/store_schema.c
# The statistics strings: the stats.* keys of web/locales/*.json as C
# tables (caseworker/gen-stats-strings.py checks that a catalogue with
# them has them all).
CASE_LOCALES := $(filter-out web/locales/status.json,\
    $(sort $(wildcard web/locales/*.json)))
STATS_STRINGS_C = $(O)/gen/caseworker/stats_strings.c
# The reply templates: the reply.* keys as C tables (templates.h), with
# which catalogues are drafts (status.json).
REPLY_STRINGS_C = $(O)/gen/caseworker/reply_strings.c
# The desk's strings: the desk.* keys, the same way (desk_text.h).
DESK_STRINGS_C = $(O)/gen/caseworker/desk_strings.c
CASE_OBJS  = $(CASE_SRCS:%.c=$(O)/obj/%.o) $(O)/obj/gen/store_schema.o \
    $(O)/obj/gen/stats_strings.o $(O)/obj/gen/reply_strings.o \
    $(O)/obj/gen/desk_strings.o
CASE_LIB_OBJS = $(filter-out $(O)/obj/caseworker/main.o,$(CASE_OBJS))
CASE_CFLAGS = -Icaseworker $(call pkg_cflags,$(PKGS_CASE))
CASE_LIBS = $(O)/libcase.a $(LIBUMBRA_LIBS) $(call pkg_libs,$(PKGS_CASE)) \
    $(LIBS_CASE_EXTRA)

$(O)/obj/caseworker/%.o: CFLAGS_EXTRA = $(CASE_CFLAGS)

$(CASE_SCHEMA_C): caseworker/schema/embed.sh $(CASE_SQL)
	@mkdir -p $(dir $@)
	sh caseworker/schema/embed.sh $(CASE_SQL) > $@.tmp && mv $@.tmp $@
$(O)/obj/gen/store_schema.o: $(CASE_SCHEMA_C)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CASE_CFLAGS) -c -o $@ $<

$(STATS_STRINGS_C): caseworker/gen-stats-strings.py $(CASE_LOCALES)
	@mkdir -p $(dir $@)
	/usr/bin/python3 caseworker/gen-stats-strings.py $(CASE_LOCALES) \
	    > $@.tmp && mv $@.tmp $@
$(O)/obj/gen/stats_strings.o: $(STATS_STRINGS_C)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CASE_CFLAGS) -c -o $@ $<

$(REPLY_STRINGS_C): caseworker/gen-reply-strings.py $(CASE_LOCALES) \
                    web/locales/status.json
	@mkdir -p $(dir $@)
	/usr/bin/python3 caseworker/gen-reply-strings.py \
	    web/locales/status.json $(CASE_LOCALES) > $@.tmp && mv $@.tmp $@
$(O)/obj/gen/reply_strings.o: $(REPLY_STRINGS_C)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CASE_CFLAGS) -c -o $@ $<

$(DESK_STRINGS_C): caseworker/gen-stats-strings.py $(CASE_LOCALES)
	@mkdir -p $(dir $@)
	/usr/bin/python3 caseworker/gen-stats-strings.py --prefix desk. \
	    $(CASE_LOCALES) > $@.tmp && mv $@.tmp $@
$(O)/obj/gen/desk_strings.o: $(DESK_STRINGS_C)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CASE_CFLAGS) -c -o $@ $<

$(O)/libcase.a: $(CASE_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# Linked from the objects (every caseworker/*.c, stats included).
$(O)/umbra-case: $(CASE_OBJS) $(O)/libumbra.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(CASE_OBJS) $(LIBUMBRA_LIBS) \
	    $(call pkg_libs,$(PKGS_CASE)) $(LIBS_CASE_EXTRA)

BINS += $(O)/umbra-case

# ---- tests -------------------------------------------------------------
$(O)/obj/tests/unit/case_%.o: CFLAGS_EXTRA = $(CASE_CFLAGS) -Itests/lib
$(O)/tests/case_unit: $(O)/obj/tests/unit/case_unit.o $(O)/libcase.a \
                      $(O)/libumbra.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(CASE_LIBS)

# display widths, reply templates, passphrase strength
$(O)/tests/case_text_unit: $(O)/obj/tests/unit/case_text_unit.o \
                           $(O)/libcase.a $(O)/libumbra.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(CASE_LIBS)

# Alert drafts: masking, days, checks, the editor's template.
$(O)/tests/case_alert_unit: $(O)/obj/tests/unit/case_alert_unit.o \
                            $(O)/libcase.a $(O)/libumbra.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(CASE_LIBS)

# The outbox file (push --out / --from): its reader refuses.
$(O)/tests/case_outbox_unit: $(O)/obj/tests/unit/case_outbox_unit.o \
                             $(O)/libcase.a $(O)/libumbra.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(CASE_LIBS)

# Case events: sealed, opened, refused; merged alike in every order;
# between real stores through a bundle file (faults, SIGKILL mid-merge).
$(O)/tests/case_team_unit: $(O)/obj/tests/unit/case_team_unit.o \
                           $(O)/libcase.a $(O)/libumbra.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(CASE_LIBS)
$(O)/tests/case_team_sync_unit: $(O)/obj/tests/unit/case_team_sync_unit.o \
                                $(O)/libcase.a $(O)/libumbra.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(CASE_LIBS)
# The identifiers of the cases (store_idents.c, migration 009, links.c).
$(O)/tests/case_idents_unit: $(O)/obj/tests/unit/case_idents_unit.o \
                             $(O)/libcase.a $(O)/libumbra.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(CASE_LIBS)

.PHONY: test-case test-case-unit test-case-cli test-case-loop bench-case \
        test-case-conv
test-case-unit: $(O)/tests/case_unit $(O)/tests/case_text_unit \
                $(O)/tests/case_outbox_unit $(O)/tests/case_team_unit \
                $(O)/tests/case_team_sync_unit $(O)/tests/case_idents_unit \
                $(O)/tests/case_alert_unit
	$(O)/tests/case_unit
	$(O)/tests/case_text_unit
	$(O)/tests/case_outbox_unit
	$(O)/tests/case_team_unit
	$(O)/tests/case_team_sync_unit
	$(O)/tests/case_idents_unit
	$(O)/tests/case_alert_unit

test-case-cli: $(O)/umbra-case
	UMBRA_BUILD=$(O) /usr/bin/python3 tests/integration/case_cli.py
	UMBRA_BUILD=$(O) /usr/bin/python3 tests/integration/case_usage.py
	UMBRA_BUILD=$(O) /usr/bin/python3 tests/integration/case_templates.py
	UMBRA_BUILD=$(O) /usr/bin/python3 tests/integration/case_links.py

# Community alerts: consent, drafts, the editor, sign, verify, withdraw;
# then push against the real server (page, feeds, withdrawal).
.PHONY: test-case-alerts
test-case-alerts: $(O)/umbra-case $(O)/umbra-server $(O)/server_tool \
                  $(O)/tests/case_alert_unit
	@st=0; \
	 $(O)/tests/case_alert_unit || st=1; \
	 UMBRA_BUILD=$(O) /usr/bin/python3 tests/integration/case_alerts.py || st=1; \
	 O=$(O) sh tests/integration/with_server.sh tests/integration/case_alerts_push.py || st=1; \
	 exit $$st

# The conversation: follow-ups joined, forged or orphaned; replies kept.
test-case-conv: $(O)/umbra-case
	UMBRA_BUILD=$(O) /usr/bin/python3 tests/integration/case_conv.py

# The whole loop against a real umbra-server and PostgreSQL, then the
# files out of the air gap (push --out / push --from, case_outbox.py).
test-case-loop: $(O)/umbra-case $(O)/umbra-server $(O)/server_tool
	O=$(O) sh tests/integration/with_server.sh tests/integration/case_loop.py
	O=$(O) sh tests/integration/with_server.sh tests/integration/case_outbox.py

# Three caseworkers sharing one case history through the real server.
.PHONY: test-case-team
test-case-team: $(O)/umbra-case $(O)/umbra-server $(O)/server_tool
	O=$(O) sh tests/integration/with_server.sh tests/integration/case_team.py

# All three, each run even if another failed.
test-case: $(O)/tests/case_unit $(O)/tests/case_text_unit $(O)/umbra-case \
           $(O)/umbra-server $(O)/server_tool $(O)/tests/case_outbox_unit \
           $(O)/tests/case_team_unit $(O)/tests/case_team_sync_unit \
           $(O)/tests/case_idents_unit $(O)/tests/case_alert_unit
	@st=0; \
	 $(O)/tests/case_unit || st=1; \
	 $(O)/tests/case_alert_unit || st=1; \
	 $(O)/tests/case_text_unit || st=1; \
	 $(O)/tests/case_outbox_unit || st=1; \
	 $(O)/tests/case_team_unit || st=1; \
	 $(O)/tests/case_team_sync_unit || st=1; \
	 $(O)/tests/case_idents_unit || st=1; \
	 UMBRA_BUILD=$(O) /usr/bin/python3 tests/integration/case_cli.py || st=1; \
	 UMBRA_BUILD=$(O) /usr/bin/python3 tests/integration/case_usage.py || st=1; \
	 UMBRA_BUILD=$(O) /usr/bin/python3 tests/integration/case_templates.py || st=1; \
	 UMBRA_BUILD=$(O) /usr/bin/python3 tests/integration/case_members.py || st=1; \
	 UMBRA_BUILD=$(O) /usr/bin/python3 tests/integration/case_migrate.py || st=1; \
	 UMBRA_BUILD=$(O) /usr/bin/python3 tests/integration/case_conv.py || st=1; \
	 UMBRA_BUILD=$(O) /usr/bin/python3 tests/integration/case_links.py || st=1; \
	 UMBRA_BUILD=$(O) /usr/bin/python3 tests/integration/case_alerts.py || st=1; \
	 O=$(O) sh tests/integration/with_server.sh tests/integration/case_loop.py || st=1; \
	 O=$(O) sh tests/integration/with_server.sh tests/integration/case_outbox.py || st=1; \
	 O=$(O) sh tests/integration/with_server.sh tests/integration/case_team.py || st=1; \
	 O=$(O) sh tests/integration/with_server.sh tests/integration/case_alerts_push.py || st=1; \
	 exit $$st

SUITES += test-case
ASAN_SUITES += test-case

# The desk (umbra-case desk): its strings, the HTTP attacks in Python, the
# Alerts screen (desk_alerts.py),
# then a real Chromium working a case and an alert (tests/desk/);
# screenshots in tests/artifacts/desk-*.png.
.PHONY: test-desk
test-desk: $(O)/umbra-case
	@st=0; \
	 /usr/bin/python3 tests/desk/desk_strings.py || st=1; \
	 UMBRA_BUILD=$(O) /usr/bin/python3 tests/desk/desk_http.py || st=1; \
	 UMBRA_BUILD=$(O) /usr/bin/python3 tests/desk/desk_links.py || st=1; \
	 UMBRA_BUILD=$(O) /usr/bin/python3 tests/desk/desk_alerts.py || st=1; \
	 UMBRA_BUILD=$(O) node tests/desk/desk_test.js || st=1; \
	 UMBRA_BUILD=$(O) node tests/desk/desk_alerts_test.js || st=1; \
	 exit $$st

SUITES += test-desk
ASAN_SUITES += test-desk

# ---- bench -------------------------------------------------------------
# An explicit rule: tests/bench/%.o has other flags (client-crypto).
$(O)/obj/tests/bench/bench_case.o: tests/bench/bench_case.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CASE_CFLAGS) -Itests/lib -c -o $@ $<
$(O)/tests/bench_case: $(O)/obj/tests/bench/bench_case.o $(O)/libcase.a \
                       $(O)/libumbra.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(CASE_LIBS)

bench-case: $(O)/tests/bench_case $(O)/umbra-case
	$(O)/tests/bench_case

BENCHES += bench-case

-include caseworker/stats.mk

# ---- fuzz (tests/fuzz/module.mk) ------------------------------------------
FUZZERS += case_import
# Each harness links libumbra and the parser it fuzzes, nothing of the CLI.
FUZZ_SRCS_case_import = tests/fuzz/fuzz_case_import.c caseworker/doc.c
FUZZ_CFLAGS_case_import = -Icaseworker

# The bundle file (pull writes it, import reads it; it may come from a USB
# stick that passed through other hands).
FUZZERS += bfile
FUZZ_SRCS_bfile = tests/fuzz/fuzz_bfile.c caseworker/bfile.c
FUZZ_CFLAGS_bfile = -Icaseworker
# The outbox file (push --out writes it, push --from reads it; it travels
# on a USB stick too).
FUZZERS += outbox
FUZZ_SRCS_outbox = tests/fuzz/fuzz_outbox.c caseworker/outbox.c \
    caseworker/bfile.c
FUZZ_CFLAGS_outbox = -Icaseworker $(call pkg_cflags,jansson)
FUZZ_LIBS_outbox = $(call pkg_libs,jansson)

# purge --closed-older-than: the text gone from the decrypted file, the
# facts kept (tests/unit/case_purge_unit.c decrypts the pages itself with
# libcrypto's AES, hence libssl-dev in scripts/deps.sh).
$(O)/tests/case_purge_unit: $(O)/obj/tests/unit/case_purge_unit.o \
                            $(O)/libcase.a $(O)/libumbra.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(CASE_LIBS) -lcrypto

.PHONY: test-case-purge
test-case-purge: $(O)/tests/case_purge_unit
	$(O)/tests/case_purge_unit

SUITES += test-case-purge
ASAN_SUITES += test-case-purge
