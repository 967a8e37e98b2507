# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/fuzz: libFuzzer harnesses, built with clang
# -fsanitize=fuzzer,address,undefined.
#
# A harness NAME is built to $(O)/fuzz/NAME from its own sources plus the
# libumbra sources (compiled in with the same sanitizers). To add one from
# any module.mk (include order does not matter):
#
#     FUZZERS += mything
#     FUZZ_SRCS_mything   = server/fuzz_mything.c server/mything.c
#     FUZZ_LIBS_mything   = $(call pkg_libs,libmicrohttpd)    (optional)
#     FUZZ_CFLAGS_mything = -Iserver $(call pkg_cflags,...)   (optional)
#
# and put seed inputs, one per file, in tests/fuzz/corpus/mything/.
# FUZZ_SRCS_NAME must define LLVMFuzzerTestOneInput and no main().
#
#   make fuzz          each harness for FUZZ_SECONDS (default 60) on a copy
#                      of its seed corpus ($(O)/fuzz/corpus/NAME, so the
#                      checked-in corpus never changes); crashes go to
#                      $(O)/fuzz/artifacts/NAME-*; logs to $(O)/fuzz/NAME.log;
#                      FUZZ_RUNS=N (environment) also stops each after N runs
#   make fuzz-brief    each harness once over every input of its corpus
#                      and of tests/fuzz/crashes/NAME (saved crash inputs),
#                      deterministically (no mutation): a suite of `make
#                      check`, which must not pass or fail by luck
#   make fuzz-build    builds every harness without running it

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR = $(O)/fuzz
FUZZ_FLAGS = -std=c11 -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    $(DEFS) -Iclient-crypto -Itests/fuzz
# harnesses are test builds: libumbra with its randomness seam (rng.h)
FUZZ_FLAGS += -DUMBRA_TEST_SEAM

FUZZERS += envelope_open keyfile_decode bundle_parse receipt_normalise
FUZZ_SRCS_envelope_open = tests/fuzz/fuzz_envelope_open.c
FUZZ_SRCS_keyfile_decode = tests/fuzz/fuzz_keyfile_decode.c
FUZZ_SRCS_bundle_parse = tests/fuzz/fuzz_bundle_parse.c
FUZZ_SRCS_receipt_normalise = tests/fuzz/fuzz_receipt_normalise.c
# The report document's one reader (umbra_report_check): what every opened
# envelope goes through before it becomes a case.
FUZZERS += report_check
FUZZ_SRCS_report_check = tests/fuzz/fuzz_report_check.c

.PHONY: fuzz-build fuzz-brief

# Second expansion lets the sources of NAME come from FUZZ_SRCS_NAME,
# whichever module.mk defines it.
.SECONDEXPANSION:
$(FUZZ_DIR)/%: $$(FUZZ_SRCS_$$*) $(LIB_SRCS) tests/fuzz/fuzz_common.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_CFLAGS_$*) \
	    $(call pkg_cflags,$(PKGS_CRYPTO)) -o $@ $(FUZZ_SRCS_$*) \
	    $(LIB_SRCS) $(FUZZ_LIBS_$*) $(call pkg_libs,$(PKGS_CRYPTO)) \
	    -lpthread

fuzz-build: $$(addprefix $(FUZZ_DIR)/,$$(FUZZERS))

fuzz-brief: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_DIR) replay $(FUZZERS)

SUITES += fuzz-brief
