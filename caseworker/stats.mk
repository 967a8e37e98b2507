# SPDX-License-Identifier: AGPL-3.0-or-later
# stats: tests and benchmark of `umbra-case stats` (caseworker/stats*.c).
# Included by caseworker/module.mk; the stats sources themselves are part
# of umbra-case through its wildcard, their strings through the generated
# stats_strings.c (the stats.* keys of web/locales/*.json, module.mk).
#
#   make test-stats    unit tests over an in-memory store, the Chromium
#                      render of the HTML and SVG outputs, the
#                      end-to-end run through build/umbra-case, the
#                      check that the stats files form no include cycle,
#                      and the check of the stats.* locale keys
#   make test-stats-attack  the attacks of issue 18 (part of test-stats)
#   make bench-stats   stats over 1,000,000 cases against reading them
#   make bench-stats-year  a yearly table audited against its twelve
#                      published months (each run capped at
#                      STATS_YEAR_CAP seconds)
STATS_SRCS := $(wildcard caseworker/stats*.c)
STATS_OBJS  = $(STATS_SRCS:%.c=$(O)/obj/%.o) $(O)/obj/gen/stats_strings.o
STATS_TEST_CFLAGS = -Icaseworker $(call pkg_cflags,$(PKGS_CASE)) -Itests/lib

$(O)/obj/tests/unit/stats_%.o: CFLAGS_EXTRA = $(STATS_TEST_CFLAGS)
$(O)/obj/tests/bench/bench_stats.o: CFLAGS_EXTRA = $(STATS_TEST_CFLAGS)

# unit tests: the stats objects (and args.o, stats_cli's option reader)
# + a fake store, no SQLCipher
$(O)/tests/stats_unit: $(O)/obj/tests/unit/stats_unit.o \
                       $(O)/obj/tests/unit/stats_fake_store.o $(STATS_OBJS) \
                       $(O)/obj/caseworker/args.o $(O)/libumbra.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(LIBUMBRA_LIBS) -lglpk -lm

# the audit, the shared ledger and the noise stream (GLPK, fake store)
$(O)/tests/stats_audit_unit: $(O)/obj/tests/unit/stats_audit_unit.o \
                             $(O)/obj/tests/unit/stats_fake_store.o \
                             $(STATS_OBJS) $(O)/obj/caseworker/args.o \
                             $(O)/libumbra.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(LIBUMBRA_LIBS) -lglpk -lm

# end-to-end and bench: the real case store (libcase.a)
$(O)/tests/stats_e2e: $(O)/obj/tests/unit/stats_e2e.o $(O)/libcase.a \
                      $(O)/libumbra.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(CASE_LIBS)

$(O)/tests/bench_stats: $(O)/obj/tests/bench/bench_stats.o $(O)/libcase.a \
                        $(O)/libumbra.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(CASE_LIBS)

.PHONY: test-stats test-stats-unit test-stats-render test-stats-e2e \
        test-stats-modules test-stats-strings bench-stats test-stats-attack
test-stats-unit: $(O)/tests/stats_unit $(O)/tests/stats_audit_unit
	@mkdir -p tests/artifacts
	STATS_ARTIFACTS=tests/artifacts $(O)/tests/stats_unit
	$(O)/tests/stats_audit_unit

# the attacks of issue 18 against the real tool, the attacker's integer
# programs solved by glpsol (tests/integration/stats_attack.py)
test-stats-attack: $(O)/tests/stats_e2e $(O)/umbra-case
	UMBRA_BUILD=$(O) /usr/bin/python3 tests/integration/stats_attack.py

test-stats-render: test-stats-unit
	tests/unit/stats_render.sh tests/artifacts

test-stats-e2e: $(O)/tests/stats_e2e $(O)/umbra-case
	UMBRA_BUILD=$(O) /usr/bin/python3 tests/unit/stats_e2e.py

# one noun per file, no include cycle, no file over 800 lines
test-stats-modules:
	/usr/bin/python3 tests/unit/stats_modules.py caseworker

# the stats.* keys of web/locales: all or none in each catalogue
test-stats-strings:
	/usr/bin/python3 tests/unit/stats_strings.py .

test-stats: test-stats-modules test-stats-strings test-stats-unit \
            test-stats-render test-stats-e2e test-stats-attack

SUITES += test-stats
ASAN_SUITES += test-stats

bench-stats: $(O)/tests/bench_stats
	$(O)/tests/bench_stats $(STATS_BENCH_CASES)

BENCHES += bench-stats

# the year over twelve published months (tests/bench/bench_stats_year.py)
.PHONY: bench-stats-year
bench-stats-year: $(O)/tests/stats_e2e $(O)/umbra-case
	UMBRA_BUILD=$(O) /usr/bin/python3 tests/bench/bench_stats_year.py

BENCHES += bench-stats-year
