# SPDX-License-Identifier: AGPL-3.0-or-later
# Paths, tools and flags shared by every part of the build (see Makefile).

CC      ?= cc
O       ?= build
PREFIX  ?= /usr/local

# Debian packages found with pkg-config. Evaluated lazily, so that
# `make check` can install them first (scripts/deps.sh) and then build.
PKGS_CRYPTO = libsodium libargon2 jansson
PKGS_SERVER = $(PKGS_CRYPTO) libmicrohttpd libpq
PKGS_CASE   = $(PKGS_CRYPTO) sqlcipher libcurl libmicrohttpd
# libzxcvbn (passphrase strength, caseworker/strength.c) and libglpk (the
# statistics audit, caseworker/stats_audit.c) have no .pc file.
LIBS_CASE_EXTRA = -lzxcvbn -lglpk

pkg_cflags = $(shell pkg-config --cflags $(1))
pkg_libs   = $(shell pkg-config --libs $(1))

WARN = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
       -Wmissing-prototypes -Wold-style-definition -Wpointer-arith \
       -Wcast-qual -Wwrite-strings -Wformat=2 -Wvla -Wundef \
       -Wimplicit-fallthrough -Wnull-dereference -fno-common

HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
DEFS   = -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L

# WERROR=1 (make check, CI) turns warnings into errors.
# SAN=1 (make asan) builds with address and undefined sanitizers.
OPT = -O2 -g
ifeq ($(SAN),1)
OPT    = -O1 -g -fno-omit-frame-pointer
SANFL  = -fsanitize=address,undefined -fno-sanitize-recover=all
HARDEN = -fstack-protector-strong -fPIE
endif
ifeq ($(WERROR),1)
WERR = -Werror
endif

CFLAGS_ALL  = $(WARN) $(WERR) $(HARDEN) $(DEFS) $(OPT) $(SANFL) -MMD -MP \
              -Iclient-crypto
LDFLAGS_ALL = -pie -Wl,-z,relro,-z,now $(SANFL)
