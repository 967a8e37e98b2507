# SPDX-License-Identifier: AGPL-3.0-or-later
# web: the pages' templates, catalogues, CSS and browser scripts (served by
# server/page.c), the vendored crypto library, and their tests.
#
# The pages seal with web/vendor/sodium-lite.js: TweetNaCl.js and the
# argon2id package (WebAssembly), pinned by web/package-lock.json and
# installed by scripts/deps.sh (npm ci), bundled by web/lite/bundle.sh with
# web/lite/sodium-lite.js, which gives them libsodium.js's names. It is about
# 28 KB gzipped where libsodium.js's sumo build was 310 KB (issue 13, item 7;
# make bench-web). libsodium.js itself stays a development dependency: the
# node tests check sodium-lite against it. web/vendor/ is not in git;
# umbra-server serves it as /static/vendor/ with Subresource Integrity
# hashes computed at start-up.

WEB_NPM      = web/node_modules/.umbra-installed
WEB_VENDOR   = web/vendor/sodium-lite.js
# Precompressed copies, served to browsers that accept gzip: the vendored
# library and the pages' own scripts and CSS (web/static/*.gz, not in git;
# the server sends a file's .gz twin when there is one).
WEB_STATIC_GZ = $(patsubst %,%.gz,$(wildcard web/static/*.js web/static/*.css))
WEB_VENDOR_GZ = $(WEB_VENDOR:%=%.gz) $(WEB_STATIC_GZ)

.PHONY: web-vendor test-web-page test-web-vectors test-browser bench-web

all: web-vendor
web-vendor: $(WEB_VENDOR) $(WEB_VENDOR_GZ)

web/vendor/%.js.gz: web/vendor/%.js
	gzip -9 -n -c $< >$@.tmp && mv $@.tmp $@

web/static/%.gz: web/static/%
	gzip -9 -n -c $< >$@.tmp && mv $@.tmp $@

$(WEB_NPM): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# (the libsodium.js files an older build copied here are no longer served)
web/vendor/sodium-lite.js: web/lite/bundle.sh web/lite/sodium-lite.js web/lite/argon2-p1.js $(WEB_NPM)
	@mkdir -p web/vendor
	rm -f web/vendor/libsodium-sumo.js* web/vendor/libsodium-wrappers-sumo.js*
	sh web/lite/bundle.sh web/node_modules web/lite/sodium-lite.js >$@.tmp
	mv $@.tmp $@

# page-test: every page in every language, from the real web/ folder.
$(O)/obj/tests/browser/%.o: CFLAGS_EXTRA = -Itests/lib
$(O)/page-test: $(O)/obj/tests/browser/page_test.o $(O)/obj/server/page.o \
    $(O)/obj/server/i18n.o $(O)/obj/server/template.o \
    $(O)/obj/server/webfiles.o $(O)/obj/server/content.o \
    $(O)/obj/server/pageform.o $(O)/obj/server/util.o $(O)/libumbra.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBUMBRA_LIBS)

# info-test: the information pages in every language, their fallback,
# sign-off and local services (server/content.h).
$(O)/info-test: $(O)/obj/tests/browser/info_test.o $(O)/obj/server/page.o \
    $(O)/obj/server/i18n.o $(O)/obj/server/template.o \
    $(O)/obj/server/webfiles.o $(O)/obj/server/content.o \
    $(O)/obj/server/pageform.o $(O)/obj/server/util.o $(O)/libumbra.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBUMBRA_LIBS)

test-web-page: $(O)/page-test $(O)/info-test web-vendor
	$(O)/page-test web
	$(O)/info-test web

# umbra-crypto.js against tests/vectors/*.json, under node.
test-web-vectors: web-vendor
	node --test web/test/

# Real headless Chromium against a real umbra-server and PostgreSQL.
test-browser: all $(O)/page-test $(O)/server_tool
	tests/browser/run.sh

SUITES      += test-web-page test-web-vectors test-browser
ASAN_SUITES += test-web-page

# The report form on a simulated cheap phone, JS and no-JS paths in one run
# (tests/bench/bench_web.sh; BENCH_WEB_ROUNDS, BENCH_WEB_BASELINE=REF).
bench-web: $(O)/umbra-server $(O)/umbra-case web-vendor
	@O=$(O) tests/bench/bench_web.sh

BENCHES += bench-web
