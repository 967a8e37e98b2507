# SPDX-License-Identifier: AGPL-3.0-or-later
# packaging: make install, make deb, make offline-kit, and their test
# (tests/package/). See docs/operations.md "Installing from the package"
# and docs/caseworker-guide.md "Installing umbra-case".
#
#   make install [PREFIX=/usr/local] [DESTDIR=]   as GNU and Debian expect:
#       $(BINDIR)      umbra-case, umbra-server
#       $(DATADIR)     web/ (templates, locales, static, vendor, content)
#                      and schema/ (the server's migrations)
#       $(MANDIR)      umbra-case(1), umbra-server(8) (man/, roff by hand)
#       $(UNITDIR)     umbra-server.service, its paths set for the prefix
#       $(DOCDIR)      the guides and an example server.conf
#   The configuration stays in /etc/umbra/server.conf whatever the prefix
#   (the unit and the documentation name it there).
#
# The installed umbra-server is linked again with server/config.c compiled
# with -DUMBRA_DATADIR=$(DATADIR), so that it finds its web files and
# schema there without a web_dir or schema_dir key; build/umbra-server
# keeps 'web' and 'schema' (relative to the checkout) as before.
#
#   make deb          debhelper packages (debian/) built from a copy of the
#                     sources in $(DEB_DIR)/src, the .debs in $(DEB_DIR)
#   make offline-kit  $(KIT_TAR): the umbra-case .deb, every .deb it needs
#                     beyond the base set (packaging/kit-base.sh),
#                     SHA256SUMS and install.sh (packaging/kit-install.sh)
#   make test-package tests/package/test-package.sh (all of the above, a
#                     scratch dpkg root, install / upgrade / remove)

BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/umbra
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/umbra
UNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL ?= install

DEB_DIR = $(O)/deb
KIT_TAR = $(O)/umbra-case-offline-kit-$(VERSION).tar

# --version: rebuild the two objects that print it when VERSION changes.
$(O)/obj/caseworker/cli.o $(O)/obj/server/main.o: VERSION

# ---- the installed umbra-server ------------------------------------------
# $(O)/install/datadir holds the DATADIR the variant was built for; it is
# rewritten (and the variant rebuilt) only when DATADIR changes.
.PHONY: pkg-force
pkg-force:
$(O)/install/datadir: pkg-force
	@mkdir -p $(dir $@)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@

$(O)/obj/server/config-datadir.o: server/config.c $(O)/install/datadir
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(call pkg_cflags,$(PKGS_SERVER)) \
	    -DUMBRA_DATADIR=\"$(DATADIR)\" -c -o $@ $<

SERVER_INSTALLED_OBJS = $(filter-out $(O)/obj/server/config.o,$(SERVER_OBJS)) \
    $(O)/obj/server/config-datadir.o

$(O)/install/umbra-server: $(SERVER_INSTALLED_OBJS) $(O)/libumbra.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(SERVER_INSTALLED_OBJS) $(LIBUMBRA_LIBS) \
	    $(call pkg_libs,$(PKGS_SERVER)) -lpthread

# ---- make install / uninstall ----------------------------------------------
WEB_INSTALL_DIRS = templates locales static vendor content

.PHONY: install uninstall deb offline-kit test-package
install: $(O)/umbra-case $(O)/install/umbra-server web-vendor
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/schema \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)/examples
	$(INSTALL) -m 0755 $(O)/umbra-case $(DESTDIR)$(BINDIR)/umbra-case
	$(INSTALL) -m 0755 $(O)/install/umbra-server \
	    $(DESTDIR)$(BINDIR)/umbra-server
	cd web && find $(WEB_INSTALL_DIRS) -type f | LC_ALL=C sort | \
	    while read -r f; do \
	        $(INSTALL) -D -m 0644 "$$f" "$(DESTDIR)$(DATADIR)/web/$$f" || \
	            exit 1; \
	    done
	$(INSTALL) -m 0644 schema/*.sql $(DESTDIR)$(DATADIR)/schema/
	sed 's/@VERSION@/$(VERSION)/' man/umbra-case.1 \
	    >$(DESTDIR)$(MANDIR)/man1/umbra-case.1
	sed 's/@VERSION@/$(VERSION)/' man/umbra-server.8 \
	    >$(DESTDIR)$(MANDIR)/man8/umbra-server.8
	chmod 0644 $(DESTDIR)$(MANDIR)/man1/umbra-case.1 \
	    $(DESTDIR)$(MANDIR)/man8/umbra-server.8
	sed -e 's#/usr/local/bin/#$(BINDIR)/#g' \
	    -e 's#/usr/local/share/doc/umbra/#$(DOCDIR)/#g' \
	    -e 's#/usr/local/share/umbra/#$(DATADIR)/#g' \
	    deploy/umbra-server.service >$(DESTDIR)$(UNITDIR)/umbra-server.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/umbra-server.service
	$(INSTALL) -m 0644 docs/caseworker-guide.md docs/operations.md \
	    $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 0644 deploy/server.conf.example \
	    $(DESTDIR)$(DOCDIR)/examples/server.conf
	$(INSTALL) -m 0644 deploy/local-services.example.json \
	    $(DESTDIR)$(DOCDIR)/examples/local-services.json

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/umbra-case $(DESTDIR)$(BINDIR)/umbra-server \
	    $(DESTDIR)$(MANDIR)/man1/umbra-case.1 \
	    $(DESTDIR)$(MANDIR)/man8/umbra-server.8 \
	    $(DESTDIR)$(UNITDIR)/umbra-server.service
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

# ---- make deb ----------------------------------------------------------------
# From a copy of the sources (the files git knows, as they are in the work
# tree, plus web/node_modules: the pinned libsodium.js, which the package
# build must not fetch), so that dpkg-buildpackage writes its files into
# $(DEB_DIR)/src and never beside the checkout.
deb: web-vendor
	@packaging/make-deb.sh $(DEB_DIR) $(VERSION)

# ---- make offline-kit ------------------------------------------------------
offline-kit: deb
	@packaging/make-offline-kit.sh $(DEB_DIR) $(VERSION) $(KIT_TAR)

# Not in SUITES: it builds the packages from a clean copy and a fresh
# Debian root, 6 to 11 minutes, more than the ~3 a suite of `make check`
# may take; CI runs it as a target of its own (docs/operations.md).
test-package: all
	@O=$(O) tests/package/test-package.sh
