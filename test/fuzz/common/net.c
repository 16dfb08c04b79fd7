// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/common/net.c - Scenario driver: guest frames and host events
 *
 * The daemon is set up as passt.c does it (tap_hdr_init(), flow_init(),
 * icmp_init(), udp_init(), tcp_init(), with TCP port 8080 and UDP port 5353 forwarded
 * inbound), over the fake sockets of shim.c. Each input is then read as a
 * sequence of operations, one byte each plus arguments:
 *
 *   GUEST	the target builds guest frames from the input (struct
 *		fuzz_target.guest); consecutive ones are read in one batch
 *   SOCK	a host event on one socket registered with epoll: data (a
 *		stream chunk or datagrams, repeated up to 32 times so that
 *		reads come in batches), EPOLLOUT (a pending connect()
 *		completes, or the peer drained the send buffer), EOF, an
 *		error; then the socket's handler runs, as passt_dispatch()
 *		would call it
 *   TIMER	an armed timerfd expires and its handler runs
 *   TICK	time passes, the periodic handlers run (passt_timer())
 *   HOST	the host's behaviour changes (struct shim_host): connect()
 *		result, socket(), bind() and send errors, send buffer size,
 *		partial writes to passt's stream, SO_PEEK_OFF refused
 *   ACCEPT	a host peer connects to a listening socket
 *   HANGUP	passt: qemu closes the stream
 *
 * After each batch, udp_flush() and tcp_flush() run, as in passt_loop().
 * At the end of an input, TCP connections are reset and an hour passes, so
 * that every flow is closed: the next input starts from the same state, and
 * a socket or timer left open then is reported as a leak.
 */

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#include "flow.h"
#include "flow_walk.h"
#include "fwd_spec.h"
#include "icmp.h"
#include "log.h"
#include "ndp.h"
#include "net.h"
#include "ctx.h"
#include "shim.h"
#include "tap.h"
#include "tap_passt.h"
#include "tcp.h"
#include "tcp_listen.h"
#include "tcp_timer.h"
#include "tcp_timerq.h"
#include "udp.h"

#define FUZZ_OPS		8
#define FUZZ_SOCK_KINDS		(1U << SHIM_TCP | 1U << SHIM_UDP | \
				 1U << SHIM_PING)
#define FUZZ_FLOW_KINDS		(FUZZ_SOCK_KINDS | 1U << SHIM_TIMER)
#define FUZZ_BIG_CHUNK		4096	/* host data chunk, "big" flag */
#define FUZZ_END_SECS		3600	/* idle time at the end of an input */

struct ctx fuzz_ctx;

/**
 * struct fuzz_net - Driver state
 * @now:	Current time, moves forward only
 * @pending:	Guest input waits to be read by the tap handler
 * @base:	Fake sockets and timers open after set-up (listening ones)
 * @mode:	Mode of the target
 * @tuples:	Flows seen in frames to the guest, oldest replaced first
 * @next:	Next entry of @tuples to replace
 */
static struct fuzz_net {
	struct timespec now;
	bool pending;
	size_t base;
	enum passt_mode mode;
	struct fuzz_tuple tuples[FUZZ_TUPLES];
	size_t next;
} fuzz_net_st = { .now = { 1000, 0 } };

/**
 * fuzz_net_tap_open() - Connect a new fake qemu, or open the fake tap
 * @c:		Execution context
 */
static void fuzz_net_tap_open(struct ctx *c)
{
	c->fd_tap = shim_fd_new(SHIM_TAP, 0, c->mode == MODE_PASST);
	c->tap_partial.len = c->tap_partial.skip = 0;
}

/**
 * fuzz_net_stream() - Raw bytes from the guest: on passt's stream, as they
 *		       are, or what one read() from pasta's tap returns
 * @c:		Execution context
 * @b:		Bytes
 * @len:	Length
 */
void fuzz_net_stream(struct ctx *c, const void *b, size_t len)
{
	if (c->fd_tap < 0)
		fuzz_net_tap_open(c);
	shim_tap_feed(c->fd_tap, b, len);
	fuzz_net_st.pending = true;
}

/**
 * fuzz_net_frame() - One Ethernet frame from the guest, framed for the tap
 * @c:		Execution context
 * @frame:	Frame
 * @len:	Length
 */
void fuzz_net_frame(struct ctx *c, const void *frame, size_t len)
{
	static uint8_t b[4 + sizeof(struct virtio_net_hdr) + 65536];
	size_t hl = 4;

	if (len > 65535)
		return;
	if (c->mode == MODE_PASTA) {
		hl = c->vnet_hdr ? sizeof(struct virtio_net_hdr) : 0;
		memset(b, 0, hl);
	} else {
		b[0] = b[1] = 0;
		b[2] = (uint8_t)(len >> 8);
		b[3] = (uint8_t)len;
	}
	memcpy(b + hl, frame, len);
	if (c->fd_tap < 0)
		fuzz_net_tap_open(c);
	shim_tap_feed(c->fd_tap, b, hl + len);
	fuzz_net_st.pending = true;
}

/**
 * fuzz_net_l3() - One IP packet from the guest: add an Ethernet header
 * @c:		Execution context
 * @l3:		Packet, IPv4 or IPv6 by its version
 * @len:	Length
 */
void fuzz_net_l3(struct ctx *c, const void *l3, size_t len)
{
	static const uint8_t guest[ETH_ALEN] = { 0x52, 0x54, 0, 0x12, 0x34,
						 0x56 };
	static uint8_t f[ETH_HLEN + 65536];
	struct ethhdr *eh = (struct ethhdr *)f;
	bool v6 = len && (*(const uint8_t *)l3 >> 4) == 6;

	if (len > sizeof(f) - ETH_HLEN)
		return;
	memcpy(eh->h_dest, c->our_tap_mac, ETH_ALEN);
	memcpy(eh->h_source, guest, ETH_ALEN);
	eh->h_proto = htons(v6 ? ETH_P_IPV6 : ETH_P_IP);
	memcpy(f + ETH_HLEN, l3, len);
	fuzz_net_frame(c, f, ETH_HLEN + len);
}

/**
 * fuzz_net_sum() - Add bytes to a ones' complement sum
 * @sum:	Sum so far
 * @b:		Bytes
 * @len:	Length
 *
 * Return: new sum, not folded
 */
static uint32_t fuzz_net_sum(uint32_t sum, const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)(b[len - 1] << 8);
	return sum;
}

/**
 * fuzz_net_fold() - Fold a ones' complement sum to 16 bits
 * @sum:	Sum
 *
 * Return: folded sum, 0xffff if the data checked out
 */
static uint16_t fuzz_net_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/**
 * fuzz_net_check() - Abort unless a frame to the guest is consistent: IP
 *		      length matches the frame, checksums are right (passt)
 * @frame:	Ethernet frame
 * @len:	Length
 */
static void fuzz_net_check(const uint8_t *frame, size_t len)
{
	const uint8_t *ip = frame + ETH_HLEN;
	size_t hl, l3len, l4len;
	uint32_t sum;
	uint8_t proto;

	if (fuzz_net_st.mode != MODE_PASST || len < ETH_HLEN + 20)
		return;
	if (frame[12] == 0x08 && frame[13] == 0x00) {
		hl = (size_t)(ip[0] & 0xf) * 4;
		l3len = (size_t)ip[2] << 8 | ip[3];
		if (hl < 20 || l3len != len - ETH_HLEN ||
		    fuzz_net_fold(fuzz_net_sum(0, ip, hl)) != 0xffff)
			goto bad;
		proto = ip[9];
		sum = fuzz_net_sum(0, ip + 12, 8);
	} else if (frame[12] == 0x86 && frame[13] == 0xdd) {
		hl = 40;
		l3len = ((size_t)ip[4] << 8 | ip[5]) + hl;
		if (len < ETH_HLEN + hl || l3len != len - ETH_HLEN)
			goto bad;
		proto = ip[6];
		sum = fuzz_net_sum(0, ip + 8, 32);
	} else {
		return;
	}
	l4len = l3len - hl;
	if (proto == IPPROTO_UDP && l4len >= 8 && ip[hl + 6] == 0 &&
	    ip[hl + 7] == 0 && hl == 20)
		return;			/* no UDP checksum over IPv4 */
	if (proto == IPPROTO_ICMP)
		sum = 0;		/* no pseudo-header */
	else if (proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
		 proto == IPPROTO_ICMPV6)
		sum += proto + (uint32_t)l4len;
	else
		return;
	if (fuzz_net_fold(fuzz_net_sum(sum, ip + hl, l4len)) == 0xffff)
		return;
bad:
	fprintf(stderr, "fuzz: bad length or checksum in a %zu-byte frame to "
		"the guest\n", len);
	abort();
}

/**
 * fuzz_net_learn() - Check a frame sent to the guest, learn its flow
 * @frame:	Ethernet frame
 * @len:	Length
 */
void fuzz_net_learn(const uint8_t *frame, size_t len)
{
	struct fuzz_tuple k = { 0 }, *t;
	const uint8_t *l4;
	size_t i, hl, l4len;

	fuzz_net_check(frame, len);
	if (len < ETH_HLEN + 20)
		return;
	if (frame[12] == 0x08 && frame[13] == 0x00) {
		hl = (size_t)(frame[ETH_HLEN] & 0xf) * 4;
		if (hl < 20 || len < ETH_HLEN + hl + 8)
			return;
		k.proto = frame[ETH_HLEN + 9];
		memcpy(k.faddr, frame + ETH_HLEN + 12, 4);
		memcpy(k.gaddr, frame + ETH_HLEN + 16, 4);
	} else if (frame[12] == 0x86 && frame[13] == 0xdd) {
		hl = 40;
		if (len < ETH_HLEN + hl + 8)
			return;
		k.v6 = true;
		k.proto = frame[ETH_HLEN + 6];
		memcpy(k.faddr, frame + ETH_HLEN + 8, 16);
		memcpy(k.gaddr, frame + ETH_HLEN + 24, 16);
	} else {
		return;
	}
	l4 = frame + ETH_HLEN + hl;
	l4len = len - ETH_HLEN - hl;
	if (k.proto == IPPROTO_TCP || k.proto == IPPROTO_UDP) {
		k.fport = (uint16_t)(l4[0] << 8 | l4[1]);
		k.gport = (uint16_t)(l4[2] << 8 | l4[3]);
	} else if (k.proto == IPPROTO_ICMP || k.proto == IPPROTO_ICMPV6) {
		k.gport = (uint16_t)(l4[4] << 8 | l4[5]);
	} else {
		return;
	}
	for (i = 0; i < FUZZ_TUPLES; i++) {
		t = &fuzz_net_st.tuples[i];
		if (t->proto == k.proto && t->v6 == k.v6 &&
		    t->gport == k.gport && t->fport == k.fport &&
		    !memcmp(t->gaddr, k.gaddr, 16) &&
		    !memcmp(t->faddr, k.faddr, 16))
			break;
	}
	if (i == FUZZ_TUPLES) {
		t = &fuzz_net_st.tuples[fuzz_net_st.next++ % FUZZ_TUPLES];
		*t = k;
		t->g_nxt = 5000;
	}
	if (k.proto == IPPROTO_TCP && l4len >= 20) {
		size_t doff = (size_t)(l4[12] >> 4) * 4;
		uint32_t seq = (uint32_t)l4[4] << 24 | (uint32_t)l4[5] << 16 |
			       (uint32_t)l4[6] << 8 | l4[7];

		t->rcv_ack = (uint32_t)l4[8] << 24 | (uint32_t)l4[9] << 16 |
			     (uint32_t)l4[10] << 8 | l4[11];
		t->snd_nxt = seq + (uint32_t)(doff < l4len ? l4len - doff : 0) +
			     !!(l4[13] & 2) + !!(l4[13] & 1);
		if (i == FUZZ_TUPLES && t->rcv_ack)
			t->g_nxt = t->rcv_ack;
	}
}

/**
 * fuzz_net_tuple() - A learnt flow of a protocol
 * @proto:	Protocol
 * @n:		Index, modulo the number of flows of @proto
 *
 * Return: the flow, NULL if none was learnt
 */
struct fuzz_tuple *fuzz_net_tuple(uint8_t proto, size_t n)
{
	size_t i, cnt = 0;

	for (i = 0; i < FUZZ_TUPLES; i++)
		cnt += fuzz_net_st.tuples[i].proto == proto;
	if (!cnt)
		return NULL;
	n %= cnt;
	for (i = 0; i < FUZZ_TUPLES; i++) {
		if (fuzz_net_st.tuples[i].proto == proto && !n--)
			return &fuzz_net_st.tuples[i];
	}
	return NULL;
}

/**
 * fuzz_net_ip() - Send an L4 message from the guest in a valid IP header
 * @c:		Execution context
 * @t:		Flow: protocol, addresses (guest is the source)
 * @l4:		L4 header and payload
 * @l4len:	Length
 */
void fuzz_net_ip(struct ctx *c, const struct fuzz_tuple *t, const void *l4,
		 size_t l4len)
{
	static uint8_t p[40 + 65536];
	size_t hl = t->v6 ? 40 : 20;

	if (l4len > 65535 - hl)
		return;
	memset(p, 0, hl);
	if (t->v6) {
		p[0] = 0x60;
		p[4] = (uint8_t)(l4len >> 8);
		p[5] = (uint8_t)l4len;
		p[6] = t->proto;
		p[7] = 64;
		memcpy(p + 8, t->gaddr, 16);
		memcpy(p + 24, t->faddr, 16);
	} else {
		p[0] = 0x45;
		p[2] = (uint8_t)((hl + l4len) >> 8);
		p[3] = (uint8_t)(hl + l4len);
		p[6] = 0x40;
		p[8] = 64;
		p[9] = t->proto;
		memcpy(p + 12, t->gaddr, 4);
		memcpy(p + 16, t->faddr, 4);
	}
	memcpy(p + hl, l4, l4len);
	fuzz_net_l3(c, p, hl + l4len);
}

/**
 * fuzz_net_flush() - What passt_loop() does after each batch of events
 * @c:		Execution context
 */
static void fuzz_net_flush(struct ctx *c)
{
	udp_flush(c);
	tcp_flush(c);
}

/**
 * fuzz_net_guest() - Let the tap handler read pending guest input
 * @c:		Execution context
 */
static void fuzz_net_guest(struct ctx *c)
{
	if (!fuzz_net_st.pending || c->fd_tap < 0)
		return;
	fuzz_net_st.pending = false;
	if (c->mode == MODE_PASST)
		tap_handler_passt(c, EPOLLIN, &fuzz_net_st.now);
	else
		tap_handler_pasta(c, EPOLLIN, &fuzz_net_st.now);
	fuzz_net_flush(c);
}

/**
 * fuzz_net_dispatch() - Run the handler for events on a fake descriptor
 * @c:		Execution context
 * @fd:		Descriptor, registered with epoll
 * @events:	Events; those not asked for (but ERR, HUP) are left out
 */
static void fuzz_net_dispatch(struct ctx *c, int fd, uint32_t events)
{
	const struct timespec *now = &fuzz_net_st.now;
	union epoll_ref ref;
	uint32_t want;

	if (!shim_ep_get(fd, &want, &ref.u64))
		return;
	events &= want | EPOLLERR | EPOLLHUP;
	if (!events)
		return;
	switch (ref.type) {
	case EPOLL_TYPE_TCP:
		tcp_sock_handler(c, ref, events, now);
		break;
	case EPOLL_TYPE_TCP_LISTEN:
		tcp_listen_handler(c, ref, now);
		break;
	case EPOLL_TYPE_TCP_TIMER:
		tcp_timer_handler(c, ref);
		break;
	case EPOLL_TYPE_UDP_LISTEN:
	case EPOLL_TYPE_UDP_REPLY:
		udp_sock_handler(c, ref, events, now);
		break;
	case EPOLL_TYPE_PING:
		icmp_sock_handler(c, ref, events, now);
		break;
	default:
		return;
	}
	fuzz_net_flush(c);
}

/**
 * fuzz_net_sock() - SOCK: a host event on a socket
 * @c:		Execution context
 * @in:		Cursor: socket index, event bits, then their arguments
 */
static void fuzz_net_sock(struct ctx *c, struct fuzz_in *in)
{
	int fd = shim_fd_nth(fuzz_u8(in), FUZZ_SOCK_KINDS);
	uint8_t ev = fuzz_u8(in), src = fuzz_u8(in), n;
	uint32_t events = 0;

	if (ev & 1) {			/* data */
		static uint8_t big[FUZZ_BIG_CHUNK];
		size_t len = fuzz_u8(in);
		const uint8_t *d = fuzz_take(in, &len);

		if (ev & 0x40) {	/* a big chunk: the input, repeated */
			size_t i;

			for (i = 0; i < sizeof(big); i++)
				big[i] = len ? d[i % len] : (uint8_t)i;
			d = big;
			len = sizeof(big);
		}
		for (n = ev & 0x80 ? fuzz_u8(in) % 32 + 1 : 1; n; n--)
			shim_feed(fd, d, len, src);	/* a batch of them */
		events |= EPOLLIN;
	}
	if (ev & 2) {			/* writable: connected, or drained */
		if (!shim_connect_done(fd, 0))
			shim_drain(fd);
		events |= EPOLLOUT;
	}
	if (ev & 4) {			/* the peer closed */
		shim_eof(fd);
		events |= EPOLLIN | EPOLLRDHUP;
	}
	if (ev & 8) {			/* an error */
		shim_error(fd, src);
		shim_connect_done(fd, ECONNREFUSED);
		events |= EPOLLERR;
	}
	if (ev & 0x10)
		events |= EPOLLHUP;
	if (ev & 0x20)			/* an event with nothing behind it */
		events |= EPOLLIN | EPOLLOUT;
	if (fd >= 0)
		fuzz_net_dispatch(c, fd, events);
}

/**
 * fuzz_net_host() - HOST: change how the host behaves
 * @in:		Cursor: what, value
 */
static void fuzz_net_host(struct fuzz_in *in)
{
	static const int errs[] = { 0, EINPROGRESS, ECONNREFUSED, ENETUNREACH,
				    EHOSTUNREACH, EACCES, EADDRINUSE, EMFILE,
				    ENOBUFS, EPERM, EAGAIN, EINPROGRESS };
	uint8_t what = fuzz_u8(in), v = fuzz_u8(in);
	int err = errs[v % (sizeof(errs) / sizeof(errs[0]))];

	switch (what % 7) {
	case 0:
		shim_host.connect_err = err;
		break;
	case 1:
		shim_host.socket_err = err == EINPROGRESS ? 0 : err;
		break;
	case 2:
		shim_host.bind_err = err == EINPROGRESS ? 0 : err;
		break;
	case 3:
		shim_host.send_err = err == EINPROGRESS ? 0 : err;
		break;
	case 4:
		shim_host.sndbuf = 1U << (8 + v % 16);
		break;
	case 5:
		shim_host.tap_space = (size_t)v * 7;
		break;
	default:
		shim_host.no_peek_off = v & 1;
		break;
	}
}

/**
 * fuzz_net_tick() - TICK: time passes, the periodic handlers run
 * @c:		Execution context
 * @secs:	Seconds, plus the nanoseconds below
 * @ns:		Nanoseconds
 */
static void fuzz_net_tick(struct ctx *c, long secs, long ns)
{
	struct timespec *now = &fuzz_net_st.now;

	now->tv_sec += secs;
	now->tv_nsec += ns;
	if (now->tv_nsec >= 1000000000L) {
		now->tv_nsec -= 1000000000L;
		now->tv_sec++;
	}
	ndp_timer(c, now);
	flow_walk_timers(c, now);
	udp_timer(c, now);
	tcp_timer(c, now);
	fuzz_net_flush(c);
}

/**
 * fuzz_net_op() - Run one operation
 * @t:		Target
 * @c:		Execution context
 * @in:		Cursor
 */
static void fuzz_net_op(const struct fuzz_target *t, struct ctx *c,
			struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in), v;
	int fd;

	if (op % FUZZ_OPS >= 5) {
		t->guest(c, in);
		return;
	}
	fuzz_net_guest(c);
	switch (op % FUZZ_OPS) {
	case 0:
		fuzz_net_sock(c, in);
		break;
	case 1:
		fd = shim_fd_nth(fuzz_u8(in), 1U << SHIM_TIMER);
		if (shim_timer_fire(fd))
			fuzz_net_dispatch(c, fd, EPOLLIN);
		break;
	case 2:
		v = fuzz_u8(in);
		fuzz_net_tick(c, v >> 4 ? (long)(v >> 4) * (v >> 4) : 0,
			      (long)(v & 0xf) * 20000000L);
		break;
	case 3:
		fuzz_net_host(in);
		break;
	default:
		v = fuzz_u8(in);
		if (v & 0x80 && c->mode == MODE_PASST && c->fd_tap >= 0) {
			shim_eof(c->fd_tap);	/* qemu leaves */
			tap_handler_passt(c, EPOLLIN | EPOLLRDHUP,
					  &fuzz_net_st.now);
			fuzz_net_flush(c);
			break;
		}
		fd = shim_fd_nth(v, 1U << SHIM_TCP);
		if (fd >= 0) {
			shim_peer_connect(fd);
			fuzz_net_dispatch(c, fd, EPOLLIN);
		}
		break;
	}
}

/**
 * fuzz_net_init() - Set the daemon up as passt.c does, over fake sockets
 * @t:		Target
 */
void fuzz_net_init(const struct fuzz_target *t)
{
	static const uint8_t ours[ETH_ALEN] = { 0x9a, 0x55, 0x9a, 0x55, 0x9a,
						0x55 };
	struct ctx *c = &fuzz_ctx;

	log_set_level(LOG_ERR);
	c->mode = MODE_PASST;	/* set-up without pasta's splice pools */
	c->epollfd = shim_fd_new(SHIM_EPOLL, 0, false);
	c->fd_tap_listen = c->timer_fd = c->pidfile_fd = -1;
	c->pasta_netns_fd = c->pasta_userns_fd = -1;
	c->mtu = 65520;
	c->ifi4_up = c->ifi6_up = true;
	inet_pton(AF_INET, "192.0.2.1", &c->ip4.addr);
	inet_pton(AF_INET, "192.0.2.254", &c->ip4.gw);
	inet_pton(AF_INET, "192.0.2.254", &c->ip4.map_host_loopback);
	inet_pton(AF_INET, "192.0.2.53", &c->ip4.dns[0]);
	inet_pton(AF_INET, "192.0.2.53", &c->ip4.dns_match);
	inet_pton(AF_INET, "127.0.0.53", &c->ip4.dns_host);
	c->ip4.prefix_len = 24;
	inet_pton(AF_INET6, "2001:db8::1", &c->ip6.addr);
	inet_pton(AF_INET6, "fe80::1", &c->ip6.gw);
	inet_pton(AF_INET6, "fe80::1", &c->ip6.our_tap_ll);
	inet_pton(AF_INET6, "fe80::1", &c->ip6.map_host_loopback);
	inet_pton(AF_INET6, "2001:db8::53", &c->ip6.dns[0]);
	c->ip6.prefix_len = 64;
	strcpy(c->dns_search[0], "example.com");
	memcpy(c->our_tap_mac, ours, ETH_ALEN);
	memset(c->guest_mac, 0xff, sizeof(c->guest_mac));
	fwd_parse_spec(&c->tcp_in, "8080", false, NULL, 0);
	fwd_parse_spec(&c->udp_in, "5353", false, NULL, 0);
	tap_hdr_init();
	flow_init();
	icmp_init(c);
	udp_init(c);
	tcp_init(c);
	c->mode = t->mode;
	if (c->mode == MODE_PASTA) {
		c->vnet_hdr = true;
		c->tap_offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 |
				  0x20 | 0x40;	/* TUN_F_USO4, TUN_F_USO6 */
		shim_host.tap_vnet = sizeof(struct virtio_net_hdr);
	}
	shim_host.tap_out = t->tap_out;
	fuzz_net_tap_open(c);
	fuzz_net_st.base = shim_live(FUZZ_FLOW_KINDS);
	fuzz_net_st.mode = t->mode;
}

/**
 * fuzz_net_end() - Close everything an input opened; check for leaks
 * @c:		Execution context
 */
static void fuzz_net_end(struct ctx *c)
{
	uint64_t deadline;
	size_t live;

	fuzz_net_guest(c);
	tcp_tap_reset(c);
	fuzz_net_flush(c);
	fuzz_net_tick(c, FUZZ_END_SECS, 0);
	fuzz_net_tick(c, FUZZ_END_SECS, 0);
	memset(fuzz_net_st.tuples, 0, sizeof(fuzz_net_st.tuples));
	fuzz_net_st.next = 0;
	live = shim_live(FUZZ_FLOW_KINDS);
	if (live != fuzz_net_st.base) {
		fprintf(stderr, "fuzz: %zu sockets or timers open after the "
			"input, %zu before\n", live, fuzz_net_st.base);
		abort();
	}
	if (tcp_timerq_first(&deadline)) {
		fprintf(stderr, "fuzz: a TCP timer armed after every "
			"connection closed\n");
		abort();
	}
}

/**
 * fuzz_net_run() - Run one input as a sequence of operations
 * @t:		Target
 * @data:	Input
 * @size:	Its length
 */
void fuzz_net_run(const struct fuzz_target *t, const uint8_t *data,
		  size_t size)
{
	struct fuzz_in in = { data, size };
	struct ctx *c = &fuzz_ctx;

	if (c->epollfd <= 0)
		fuzz_net_init(t);
	memset(&shim_host, 0, offsetof(struct shim_host, sndbuf));
	shim_host.sndbuf = 16384;
	shim_host.tap_space = 0;
	if (c->fd_tap < 0)
		fuzz_net_tap_open(c);
	if (t->begin)
		t->begin(c, &in);
	while (in.left)
		fuzz_net_op(t, c, &in);
	memset(&shim_host, 0, offsetof(struct shim_host, sndbuf));
	fuzz_net_end(c);
}

/**
 * fuzz_net_file() - Read a whole file
 * @path:	Path
 * @len:	Length (output)
 *
 * Return: contents, to free(), NULL on error
 */
static uint8_t *fuzz_net_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 &&
	    !fseek(f, 0, SEEK_SET) && (b = malloc((size_t)n + 1)) &&
	    fread(b, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

/**
 * fuzz_net_main() - Standalone run (no libFuzzer): files, then mutations
 * @t:		Target
 * @argc:	Argument count
 * @argv:	ITERATIONS [FILE...]: each file runs once as it is, then
 *		ITERATIONS random mutations of them (of random bytes if none)
 *
 * Return: 0, 1 if a file can't be read
 */
int fuzz_net_main(const struct fuzz_target *t, int argc, char **argv)
{
	static uint8_t m[8192];
	long n = argc > 1 ? atol(argv[1]) : 1000, i;
	unsigned seed = 1;
	int j;

	for (j = 2; j < argc; j++) {
		size_t len;
		uint8_t *b = fuzz_net_file(argv[j], &len);

		if (!b) {
			fprintf(stderr, "can't read %s\n", argv[j]);
			return 1;
		}
		fuzz_net_run(t, b, len);
		free(b);
	}
	for (i = 0; i < n; i++) {
		size_t len = 0, k;

		if (argc > 2) {
			uint8_t *b = fuzz_net_file(argv[2 + rand_r(&seed) %
							   (argc - 2)], &len);

			if (!b)
				return 1;
			len = len < sizeof(m) ? len : sizeof(m);
			memcpy(m, b, len);
			free(b);
		}
		if (!len)
			len = (size_t)rand_r(&seed) % 512;
		for (k = rand_r(&seed) % 16 + (argc > 2 ? 0 : len); k; k--)
			m[rand_r(&seed) % (len ? len : 1)] =
				(uint8_t)rand_r(&seed);
		if (rand_r(&seed) % 4 == 0)
			len = (size_t)rand_r(&seed) % (len + 1);
		fuzz_net_run(t, m, len);
	}
	printf("%d files, %ld mutated inputs\n", argc > 2 ? argc - 2 : 0, n);
	return 0;
}
