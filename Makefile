# SPDX-License-Identifier: GPL-2.0-or-later
# Makefile - build passt, pasta (link), qrap; tests, lint, sanitisers

CC ?= gcc
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man

# Daemon sources: one concern per file (keep in order, explicit)
SRCS = passt.c log.c util.c packet.c checksum.c siphash.c tap.c tap_passt.c \
       tap_hdr.c arp.c pcap.c conf.c conf_parse.c fwd.c netlink.c nlmsg.c \
       pasta.c isolation.c \
       dhcp.c dhcpv6.c ndp.c dns.c icmp.c tcp.c tcp_connect.c tcp_timer.c \
       tcp_buf.c tcp_conn.c tcp_listen.c tcp_splice.c udp.c udp_fwd.c \
       udp_splice.c udp_err.c udp_tap.c
HDRS = $(filter-out tap_passt.h tap_hdr.h,$(SRCS:.c=.h)) inany.h tap_internal.h \
       udp_internal.h
QRAP_SRCS = qrap.c

WARNINGS = -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wno-missing-field-initializers
HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -pie \
	 -Wl,-z,relro -Wl,-z,now
BASE_CFLAGS = -std=c11 -D_GNU_SOURCE -O2 -g $(WARNINGS)
CFLAGS ?=
ALL_CFLAGS = $(BASE_CFLAGS) $(HARDEN) $(CFLAGS) $(EXTRA_CFLAGS)

# Sanitiser build: same sources, separate binaries
ASAN_CFLAGS = -std=c11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer \
	      -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	      $(WARNINGS)

BIN = passt pasta qrap

PHONY_EXTRA = private
.PHONY: all check check-asan asan lint install clean unit bench fuzz

all: $(BIN)

passt: $(SRCS) $(HDRS)
	$(CC) $(ALL_CFLAGS) $(SRCS) -o $@

pasta: passt
	ln -sf passt pasta

qrap: $(QRAP_SRCS) log.c log.h
	$(CC) $(ALL_CFLAGS) $(QRAP_SRCS) log.c -o $@

# Private build for parallel work: make private DEST=/tmp/somewhere
private:
	mkdir -p $(DEST)
	$(CC) $(ALL_CFLAGS) $(SRCS) -o $(DEST)/passt
	ln -sf passt $(DEST)/pasta

asan: passt.asan pasta.asan

passt.asan: $(SRCS) $(HDRS)
	$(CC) $(ASAN_CFLAGS) $(SRCS) -o $@

pasta.asan: passt.asan
	ln -sf passt.asan pasta.asan

# make check: -Werror build, unit tests, integration tests
check:
	$(MAKE) clean-bin
	$(MAKE) EXTRA_CFLAGS=-Werror all
	./test/run

# Same suite against the AddressSanitizer/UBSan binaries
check-asan:
	$(MAKE) asan
	PASST_BIN=$(CURDIR)/passt.asan ./test/run

unit:
	./test/run unit

# libFuzzer targets (clang), FUZZ_SECONDS each (default 20); fails on a crash
fuzz:
	./test/fuzz/run.sh

bench: all
	./test/bench/run

lint:
	./test/lint

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 passt qrap $(DESTDIR)$(BINDIR)
	ln -sf passt $(DESTDIR)$(BINDIR)/pasta
	install -m 644 doc/passt.1 $(DESTDIR)$(MANDIR)/man1/passt.1
	ln -sf passt.1 $(DESTDIR)$(MANDIR)/man1/pasta.1

clean-bin:
	rm -f $(BIN) passt.asan pasta.asan

clean: clean-bin
	rm -rf test/build
