# SPDX-License-Identifier: GPL-2.0-or-later
# Makefile - build passt, pasta (link), qrap; tests, lint, sanitisers

CC ?= gcc
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man

# Daemon sources: one concern per file (keep in order, explicit)
SRCS = passt.c log.c util.c packet.c checksum.c siphash.c flow.c flow_walk.c tap.c \
       tap_out.c tap_buf.c \
       tap_passt.c tap_hdr.c arp.c pcap.c conf.c conf_parse.c fwd_spec.c fwd.c \
       netlink.c nlmsg.c pasta.c isolation.c \
       dhcp.c dhcpv6.c ndp.c dns.c icmp.c tcp.c tcp_connect.c tcp_timer.c \
       tcp_timerq.c tcp_buf.c tcp_frame.c tcp_vu.c tcp_conn.c tcp_ctl.c tcp_listen.c tcp_seg.c \
       tcp_splice.c udp.c udp_fwd.c udp_splice.c udp_err.c udp_tap.c \
       udp_cmsg.c udp_flow.c udp_sock.c vu_mem.c virtqueue.c vhost_user.c \
       tap_vu.c tap_vu_tx.c
HDRS = $(filter-out passt.h,$(SRCS:.c=.h)) ctx.h inany.h \
       udp_internal.h
QRAP_SRCS = qrap.c

WARNINGS = -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wno-missing-field-initializers
HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -pie \
	 -Wl,-z,relro -Wl,-z,now
BASE_CFLAGS = -std=c11 -D_GNU_SOURCE -O2 -g $(WARNINGS)
CFLAGS ?=
ALL_CFLAGS = $(BASE_CFLAGS) $(HARDEN) $(CFLAGS) $(EXTRA_CFLAGS)

# Sanitiser build: same sources, separate binaries. Its seccomp filter logs
# calls outside the list (kernel log, audit) instead of killing: the ASan
# run-time calls sigaltstack as processes and clones end, maps memory, and
# to print a report reads /proc/self/maps and may run a symboliser, none of
# which the daemon itself does
ASAN_CFLAGS = -std=c11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer \
	      -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	      -DSECCOMP_DEFAULT_ACTION=SECCOMP_RET_LOG $(WARNINGS)

BIN = passt pasta qrap

PHONY_EXTRA = private
.PHONY: all check check-asan asan lint install clean unit bench fuzz

all: $(BIN)

# The filters, from the #syscalls comments: any source change may alter them
seccomp.h: seccomp.sh $(SRCS) $(HDRS)
	@CC="$(CC)" CFLAGS="$(CFLAGS)" ./seccomp.sh $@ $(SRCS) $(HDRS)

passt: $(SRCS) $(HDRS) seccomp.h
	$(CC) $(ALL_CFLAGS) $(SRCS) -o $@

pasta: passt
	ln -sf passt pasta

qrap: $(QRAP_SRCS) log.c log.h
	$(CC) $(ALL_CFLAGS) $(QRAP_SRCS) log.c -o $@

# Private build for parallel work: make private DEST=/tmp/somewhere
private: seccomp.h
	mkdir -p $(DEST)
	$(CC) $(ALL_CFLAGS) $(SRCS) -o $(DEST)/passt
	ln -sf passt $(DEST)/pasta

asan: passt.asan pasta.asan

passt.asan: $(SRCS) $(HDRS) seccomp.h
	$(CC) $(ASAN_CFLAGS) $(SRCS) -o $@

pasta.asan: passt.asan
	ln -sf passt.asan pasta.asan

# make check: test prerequisites (test/setup installs missing packages as
# root), -Werror build, unit tests, integration tests
check:
	./test/setup check
	$(MAKE) clean-bin
	$(MAKE) EXTRA_CFLAGS=-Werror all
	./test/run

# Same suite against the AddressSanitizer/UBSan binaries
check-asan:
	./test/setup check
	$(MAKE) asan
	PASST_BIN=$(CURDIR)/passt.asan ./test/run

unit: seccomp.h
	./test/run unit

# libFuzzer targets (clang), FUZZ_SECONDS each (default 20); fails on a crash
fuzz: seccomp.h
	./test/setup fuzz
	./test/fuzz/run.sh

bench: all
	./test/bench/run

lint:
	./test/setup lint
	./test/lint

# pasta is installed as a copy, not a link: AppArmor and SELinux tell pasta
# from passt by the file executed (contrib/apparmor, contrib/selinux)
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 passt qrap $(DESTDIR)$(BINDIR)
	install -m 755 passt $(DESTDIR)$(BINDIR)/pasta
	install -m 644 doc/passt.1 $(DESTDIR)$(MANDIR)/man1/passt.1
	ln -sf passt.1 $(DESTDIR)$(MANDIR)/man1/pasta.1
	install -m 644 doc/qrap.1 $(DESTDIR)$(MANDIR)/man1/qrap.1

clean-bin:
	rm -f $(BIN) passt.asan pasta.asan

clean: clean-bin
	rm -f seccomp.h
	rm -rf test/build
