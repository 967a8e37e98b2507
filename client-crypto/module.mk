# SPDX-License-Identifier: AGPL-3.0-or-later
# client-crypto: libumbra, every byte format (docs/protocol.md), with its
# unit tests (client-crypto/tests/), the known-answer vectors and their
# generator / interop CLI (tests/vectors/), and the crypto bench
# (tests/bench/bench_crypto.c). The fuzz harnesses are in tests/fuzz/.
LIB_SRCS := $(wildcard client-crypto/*.c)
LIB_OBJS  = $(LIB_SRCS:%.c=$(O)/obj/%.o)

$(O)/obj/client-crypto/%.o: CFLAGS_EXTRA = -Wconversion \
    $(call pkg_cflags,$(PKGS_CRYPTO))
$(O)/obj/tests/vectors/%.o $(O)/obj/tests/bench/%.o: CFLAGS_EXTRA = \
    $(call pkg_cflags,$(PKGS_CRYPTO)) -Itests/lib
# the unit tests share tests/lib/check.h with the other C tests
$(O)/obj/client-crypto/tests/%.o: CFLAGS_EXTRA = -Wconversion \
    $(call pkg_cflags,$(PKGS_CRYPTO)) -Itests/lib

$(O)/libumbra.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

LIBUMBRA_LIBS = $(O)/libumbra.a $(call pkg_libs,$(PKGS_CRYPTO)) -lpthread

# The same library with the randomness test seam (umbra_test_set_rng,
# rng.h): rng.c compiled again with -DUMBRA_TEST_SEAM. Only test programs
# link it; build/libumbra.a never holds the seam (crypto-no-seam checks).
LIB_TEST_OBJS = $(filter-out $(O)/obj/client-crypto/rng.o,$(LIB_OBJS)) \
    $(O)/obj/client-crypto/rng-seam.o

$(O)/obj/client-crypto/rng-seam.o: client-crypto/rng.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CFLAGS_EXTRA) -DUMBRA_TEST_SEAM -c -o $@ $<

$(O)/libumbra-test.a: $(LIB_TEST_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

LIBUMBRA_TEST_LIBS = $(O)/libumbra-test.a \
    $(call pkg_libs,$(PKGS_CRYPTO)) -lpthread

# ---- unit tests: one program per module group, each a suite ------------
CRYPTO_TESTS := envelope keys receipt member report buf followup alert

$(O)/tests/crypto_%: $(O)/obj/client-crypto/tests/test_%.o \
    $(O)/libumbra-test.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIBUMBRA_TEST_LIBS)

.PHONY: $(CRYPTO_TESTS:%=crypto-%) crypto-vectors crypto-pyumbra crypto-pyalert \
        vectors-regen bench-crypto crypto-no-seam
$(CRYPTO_TESTS:%=crypto-%): crypto-%: $(O)/tests/crypto_%
	$<

# ---- known-answer vectors and the C side of the Python interop ---------
# build/umbra-vec gen DIR re-derives every vector; crypto-vectors checks
# that it reproduces tests/vectors/*.json byte for byte.
$(O)/umbra-vec: $(O)/obj/tests/vectors/umbra_vec.o \
    $(O)/obj/tests/vectors/alert_vec.o $(O)/libumbra-test.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(LIBUMBRA_TEST_LIBS)

crypto-vectors: $(O)/umbra-vec
	@tests/vectors/check-vectors.sh $(O)/umbra-vec

crypto-pyumbra: $(O)/umbra-vec
	/usr/bin/python3 tests/vectors/pyumbra.py --test $(O)/umbra-vec \
	    tests/vectors

# the alert file read by an independent Python checker, both ways
crypto-pyalert: $(O)/umbra-vec
	/usr/bin/python3 tests/vectors/pyalert.py --test $(O)/umbra-vec \
	    tests/vectors

# Rewrites tests/vectors/*.json (only after a deliberate format change).
vectors-regen: $(O)/umbra-vec
	$(O)/umbra-vec gen tests/vectors

# ---- bench ------------------------------------------------------------
$(O)/bench_crypto: $(O)/obj/tests/bench/bench_crypto.o $(O)/libumbra-test.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIBUMBRA_TEST_LIBS)

bench-crypto: $(O)/bench_crypto
	$<

# The production library must not hold the randomness seam.
crypto-no-seam: $(O)/libumbra.a $(O)/libumbra-test.a
	@if nm $(O)/libumbra.a | grep -q umbra_test_set_rng; then \
	    echo "FAIL $(O)/libumbra.a holds umbra_test_set_rng"; \
	    echo "0 passed, 1 failed"; exit 1; fi; \
	if ! nm $(O)/libumbra-test.a | grep -q ' T umbra_test_set_rng'; then \
	    echo "FAIL $(O)/libumbra-test.a lacks umbra_test_set_rng"; \
	    echo "0 passed, 1 failed"; exit 1; fi; \
	echo "2 passed, 0 failed"

# ---- the report vocabulary ---------------------------------------------
# client-crypto/report-vocab.json is the one definition of the report's
# codes and caps; gen-vocab.py writes client-crypto/report_vocab.[ch] and
# web/static/report-vocab.js from it (checked in). `make vocab` rewrites
# them; crypto-vocab fails when one is stale or a code lacks a label in a
# locale catalogue.
VOCAB_GEN = /usr/bin/python3 client-crypto/gen-vocab.py
VOCAB_ARGS = client-crypto/report-vocab.json client-crypto \
    web/static/report-vocab.js

.PHONY: vocab crypto-vocab
vocab:
	$(VOCAB_GEN) $(VOCAB_ARGS)

crypto-vocab:
	@$(VOCAB_GEN) --check $(VOCAB_ARGS) web/locales

SUITES += $(CRYPTO_TESTS:%=crypto-%) crypto-vectors crypto-pyumbra crypto-pyalert \
    crypto-no-seam crypto-vocab
ASAN_SUITES += $(CRYPTO_TESTS:%=crypto-%) crypto-vectors crypto-pyumbra
BENCHES += bench-crypto

# ---- fuzz (tests/fuzz/module.mk) ------------------------------------------
# The member file (protocol section 9): it reaches the key holder from a
# member, by whatever way the two have.
FUZZERS += member_parse
FUZZ_SRCS_member_parse = tests/fuzz/fuzz_member_parse.c

# The alert file (protocol section "Alerts"): the server verifies every
# pushed alert, and every reader verifies what the server serves.
FUZZERS += alert_parse
FUZZ_SRCS_alert_parse = tests/fuzz/fuzz_alert_parse.c
