# SPDX-License-Identifier: AGPL-3.0-or-later
# web: the pages' templates, catalogues, CSS and browser scripts (served by
# server/page.c), the vendored libsodium.js, and their tests.
#
# libsodium.js (the sumo build: it has crypto_pwhash) is pinned by web/package-lock.json and installed by
# scripts/deps.sh (npm ci); the build copies its two dist files into
# web/vendor/ (not in git), which umbra-server serves as /static/vendor/
# with Subresource Integrity hashes computed at start-up.

WEB_NPM      = web/node_modules/.umbra-installed
WEB_VENDOR   = web/vendor/libsodium-sumo.js web/vendor/libsodium-wrappers-sumo.js
# Precompressed copies, served to browsers that accept gzip (1 MB -> ~0.3 MB
# on a prepaid phone plan or over Tor).
WEB_VENDOR_GZ = $(WEB_VENDOR:%=%.gz)

.PHONY: web-vendor test-web-page test-web-vectors test-browser

all: web-vendor
web-vendor: $(WEB_VENDOR) $(WEB_VENDOR_GZ)

web/vendor/%.js.gz: web/vendor/%.js
	gzip -9 -n -c $< >$@.tmp && mv $@.tmp $@

$(WEB_NPM): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

web/vendor/libsodium-sumo.js: $(WEB_NPM)
	@mkdir -p web/vendor
	cp web/node_modules/libsodium-sumo/dist/modules-sumo/libsodium-sumo.js $@

web/vendor/libsodium-wrappers-sumo.js: $(WEB_NPM)
	@mkdir -p web/vendor
	cp web/node_modules/libsodium-wrappers-sumo/dist/modules-sumo/libsodium-wrappers.js $@

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
test-browser: all $(O)/page-test
	tests/browser/run.sh

SUITES      += test-web-page test-web-vectors test-browser
ASAN_SUITES += test-web-page
