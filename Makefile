# SPDX-License-Identifier: AGPL-3.0-or-later
# Umbra: one non-recursive Makefile. Each component adds its sources,
# binaries and test suites in its own module.mk, included below; paths and
# flags live in config.mk. Build variants go to separate folders
# (build/ for release, build/asan for the sanitizer run) so objects never mix.
#
#   make            build/libumbra.a build/umbra-case build/umbra-server
#   make check      install what is missing, build with -Werror, run every suite
#   make asan       the same suites against an address+UB sanitizer build
#   make fuzz       libFuzzer harnesses, each for FUZZ_SECONDS
#   make bench      benchmarks; prints figures as ratios to baselines
#   make run        private PostgreSQL under ./var/pg, demo org, server on :8080
#   make cluster    the same as a cluster: PostgreSQL primary + synchronous
#                   standby with pg_auto_failover under ./var/cluster, two
#                   servers behind HAProxy on :8080 (scripts/cluster.sh)
#   make test-cluster  load through HAProxy while a server, the primary's
#                   postmaster and its node are killed (tests/cluster/)
#   make test-backup  the documented backup restored into a new PostgreSQL
#                   cluster; pulls resume, replies reach mailboxes
#   make install    both programs, web files, schema, man pages, systemd unit
#                   (PREFIX, DESTDIR; see packaging/module.mk)
#   make deb        Debian packages umbra-case and umbra-server in build/deb/
#   make offline-kit  build/umbra-case-offline-kit-VERSION.tar for a laptop
#                   that never goes online

include config.mk

# The one place the version is written (--version, the packages).
VERSION := $(shell cat VERSION)
CFLAGS_ALL += -DUMBRA_VERSION=\"$(VERSION)\"

.DEFAULT_GOAL := all

BINS   :=
SUITES :=
BENCHES :=
FUZZERS :=

include client-crypto/module.mk
include server/module.mk
include caseworker/module.mk
include web/module.mk
include deploy/module.mk
include packaging/module.mk
include tests/chaos/module.mk
include tests/cluster/module.mk
# Last, so that every module can add to FUZZERS before (see its top comment).
include tests/fuzz/module.mk

# The house has no circles: no include cycle between the modules of
# client-crypto/, server/ and caseworker/, no source over 800 lines.
.PHONY: test-modules
test-modules:
	@/usr/bin/python3 tests/unit/modules.py .
SUITES += test-modules

.PHONY: all deps check check-build check-suites asan fuzz bench run \
        format lint clean

all: $(O)/libumbra.a $(BINS)

$(O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CFLAGS_EXTRA) -c -o $@ $<

deps:
	@scripts/deps.sh

# Suites run one after another even when one fails; tests/run-suites.sh
# prints each result and a closing "N passed, N failed" line.
check: deps
	@$(MAKE) --no-print-directory WERROR=1 all
	@tests/run-suites.sh $(MAKE) WERROR=1 -- $(SUITES)

asan: deps
	@$(MAKE) --no-print-directory O=build/asan SAN=1 WERROR=1 all
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	 UBSAN_OPTIONS=print_stacktrace=1 \
	 tests/run-suites.sh $(MAKE) O=build/asan SAN=1 WERROR=1 -- $(ASAN_SUITES)

# libFuzzer harnesses (tests/fuzz/module.mk), each for FUZZ_SECONDS.
fuzz: fuzz-build
	@tests/fuzz/run.sh $(O)/fuzz $(FUZZ_SECONDS) $(FUZZERS)

bench: deps
	@$(MAKE) --no-print-directory all
	@tests/run-suites.sh $(MAKE) -- $(BENCHES)

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr -Iclient-crypto client-crypto server caseworker

clean:
	rm -rf build

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
