# stats: tests and benchmark of `umbra-case stats` (caseworker/stats*.c).
# Included by caseworker/module.mk; the stats sources themselves are part
# of umbra-case through its wildcard.
#
#   make test-stats    unit tests over an in-memory store, the Chromium
#                      render of the HTML and SVG outputs, and the
#                      end-to-end run through build/umbra-case
#   make bench-stats   stats over 1,000,000 cases against reading them
STATS_SRCS := caseworker/stats.c caseworker/stats_out.c caseworker/stats_sdc.c \
              caseworker/stats_noise.c
STATS_OBJS  = $(STATS_SRCS:%.c=$(O)/obj/%.o)
STATS_TEST_CFLAGS = -Icaseworker $(call pkg_cflags,$(PKGS_CASE))

$(O)/obj/tests/unit/stats_%.o: CFLAGS_EXTRA = $(STATS_TEST_CFLAGS)
$(O)/obj/tests/bench/bench_stats.o: CFLAGS_EXTRA = $(STATS_TEST_CFLAGS)

# unit tests: the stats objects + a fake store, no SQLCipher
$(O)/tests/stats_unit: $(O)/obj/tests/unit/stats_unit.o \
                       $(O)/obj/tests/unit/stats_fake_store.o $(STATS_OBJS) \
                       $(O)/libumbra.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(LIBUMBRA_LIBS) -lm

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
        bench-stats
test-stats-unit: $(O)/tests/stats_unit
	@mkdir -p tests/artifacts
	STATS_ARTIFACTS=tests/artifacts $(O)/tests/stats_unit

test-stats-render: test-stats-unit
	tests/unit/stats_render.sh tests/artifacts

test-stats-e2e: $(O)/tests/stats_e2e $(O)/umbra-case
	UMBRA_BUILD=$(O) /usr/bin/python3 tests/unit/stats_e2e.py

test-stats: test-stats-unit test-stats-render test-stats-e2e

SUITES += test-stats
ASAN_SUITES += test-stats

bench-stats: $(O)/tests/bench_stats
	$(O)/tests/bench_stats $(STATS_BENCH_CASES)

BENCHES += bench-stats
