/* UNIT_SRCS: flow.c fwd.c tap_hdr.c packet.c log.c checksum.c siphash.c util.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/udp.c - UDP flow table, address translation, frames, "auto" scan
 *
 * udp.c, udp_fwd.c, udp_splice.c, udp_err.c, udp_tap.c, udp_cmsg.c,
 * udp_flow.c and udp_sock.c are included
 * here so that their static functions can be checked directly. Test
 * doubles stand in for tap_out.c (frame output). Checked:
 * /proc/net/udp lines (state 07 counted, 01 not, IPv6 lines, malformed
 * ones ignored), guest destinations as fwd.c decides them for UDP
 * (gateway to loopback, --dns-forward on port 53 only, loopback and
 * multicast refused), peers shown to the guest (loopback and the guest's
 * own address as the gateway, with --no-map-gw too), control messages
 * (local address read from IP_PKTINFO and IPV6_PKTINFO, multicast
 * ignored; source address
 * then UDP_SEGMENT written, the source alone kept for a split), flows in
 * the flow table (lookup from the host side and from the tap side, a
 * reply from another guest address or to another local address, a full
 * cap refusing new flows without closing old ones, stale references
 * after reuse, idle expiry through udp_flow_timer()), frames to the guest
 * (UDP checksum valid
 * in passt mode, partial with NEEDS_CSUM in pasta) and which queued frames
 * merge into a UDP super-frame.
 */

#include "../../udp.c"
#include "../../udp_fwd.c"
#include "../../udp_splice.c"
#include "../../udp_err.c"
#include "../../udp_tap.c"
#include "../../udp_cmsg.c"
#include "../../udp_flow.c"
#include "../../udp_sock.c"
#include "unit.h"

/* Test doubles for tap_out.c */

static size_t unit_frames_sent;

/**
 * tap_send_frames() - Test double: count frames
 * @c:		Execution context
 * @iov:	Frames
 * @bufs_per_frame:	Buffers per frame
 * @nframes:	Frames
 *
 * Return: @nframes
 */
size_t tap_send_frames(struct ctx *c, const struct iovec *iov,
		       size_t bufs_per_frame, size_t nframes)
{
	(void)c;
	(void)iov;
	(void)bufs_per_frame;
	unit_frames_sent += nframes;
	return nframes;
}

/**
 * tap_room() - Test double: the back-end is never full
 * @c:		Execution context
 * @l2len:	Unused
 *
 * Return: SIZE_MAX
 */
size_t tap_room(const struct ctx *c, size_t l2len)
{
	(void)c;
	(void)l2len;
	return SIZE_MAX;
}

/**
 * tap_icmp_err_send() - Test double: ignore
 * @c:		Execution context
 * @far:	Unused
 * @guest:	Unused
 * @e:		Unused
 */
void tap_icmp_err_send(struct ctx *c, const union inany_addr *far,
		       const union inany_addr *guest,
		       const struct tap_icmp_err *e)
{
	(void)c; (void)far; (void)guest; (void)e;
}

static struct ctx unit_ctx;

/**
 * unit_v4() - inany from a dotted quad
 * @s:		Address string
 *
 * Return: address
 */
static union inany_addr unit_v4(const char *s)
{
	union inany_addr a;
	struct in_addr a4;

	inet_pton(AF_INET, s, &a4);
	inany_from_v4(&a, a4);
	return a;
}

/**
 * unit_proc() - /proc/net/udp lines
 */
static void unit_proc(void)
{
	uint8_t map[FWD_BITMAP_BYTES] = { 0 };

	udp_proc_line("  sl  local_address rem_address   st tx_queue", map);
	udp_proc_line("   12: 0100007F:1B59 00000000:0000 07 00000000:00000000"
		      " 00:00000000 00000000     0        0 1 2 0000 0", map);
	udp_proc_line("   13: 0100007F:1B5A 0100007F:1B59 01 00000000:00000000"
		      " 00:00000000 00000000     0        0 1 2 0000 0", map);
	udp_proc_line("    1: 00000000000000000000000001000000:FFFF "
		      "00000000000000000000000000000000:0000 07 0", map);
	udp_proc_line("    2: garbage", map);
	unit_check(fwd_bit_test(map, 7001), "proc: unconnected port 7001 taken");
	unit_check(!fwd_bit_test(map, 7002), "proc: connected port 7002 not");
	unit_check(fwd_bit_test(map, 65535), "proc: IPv6 line, port 65535");
}

/**
 * unit_out() - Target side of a new UDP flow from the guest (fwd.c)
 * @dst:	Guest's destination, IPv4 text
 * @port:	Destination port
 * @tgt:	Target side (output)
 *
 * Return: true if the destination is not refused
 */
static bool unit_out(const char *dst, uint16_t port, struct flowside *tgt)
{
	struct flowside ini = { .peer = unit_v4("192.0.2.1"),
				.local = unit_v4(dst),
				.peer_port = 40000, .local_port = port };

	return fwd_from_tap(&unit_ctx, IPPROTO_UDP, &ini, tgt) == PIF_HOST;
}

/**
 * unit_in() - How a host peer of forwarded port 7000 is shown to the guest
 * @src:	Peer, IPv4 text
 * @far:	Address the guest sees (output)
 *
 * Return: true if the datagram goes to the guest
 */
static bool unit_in(const char *src, union inany_addr *far)
{
	struct flowside ini = { .peer = unit_v4(src), .peer_port = 9,
				.local_port = 7000 }, tap;
	bool ok;

	ok = fwd_from_host(&unit_ctx, IPPROTO_UDP, PIF_HOST, &ini, &tap) ==
	     PIF_TAP;
	*far = tap.local;
	return ok;
}

/**
 * unit_addrs() - Address translation both ways
 */
static void unit_addrs(void)
{
	struct ctx *c = &unit_ctx;
	struct flowside t;
	union inany_addr a;

	unit_check(unit_out("192.0.2.254", 7000, &t) &&
		   udp_is_loopback(&t.peer) && t.peer_port == 7000,
		   "gateway goes to the host's loopback");
	unit_check(unit_out("192.0.2.53", 53, &t) &&
		   inany_equals(&t.peer, &(union inany_addr){ .a6 = unit_v4(
			   "198.51.100.53").a6 }),
		   "--dns-forward address, port 53: host resolver");
	unit_check(unit_out("192.0.2.53", 54, &t) &&
		   inany_equals(&t.peer, &(union inany_addr){ .a6 = unit_v4(
			   "192.0.2.53").a6 }),
		   "--dns-forward address, other port: unchanged");
	unit_check(!unit_out("127.0.0.1", 54, &t),
		   "loopback destination from the guest refused");
	unit_check(!unit_out("224.0.0.251", 54, &t),
		   "multicast destination refused");
	unit_check(unit_in("127.0.0.1", &a) &&
		   inany_equals(&a, &(union inany_addr){ .a6 = unit_v4(
			   "192.0.2.254").a6 }),
		   "host loopback peer shown as the gateway");
	unit_check(unit_in("192.0.2.1", &a) &&
		   inany_equals(&a, &(union inany_addr){ .a6 = unit_v4(
			   "192.0.2.254").a6 }),
		   "peer using the guest's address shown as the gateway");
	c->no_map_gw = true;
	c->ip4.map_host_loopback.s_addr = 0;
	unit_check(unit_in("127.0.0.1", &a) &&
		   inany_equals(&a, &(union inany_addr){ .a6 = unit_v4(
			   "192.0.2.254").a6 }),
		   "--no-map-gw: loopback peer shown as the gateway");
	unit_check(unit_in("192.0.2.1", &a) &&
		   inany_equals(&a, &(union inany_addr){ .a6 = unit_v4(
			   "192.0.2.254").a6 }),
		   "--no-map-gw: guest's address still shown as the gateway");
	unit_check(unit_out("192.0.2.254", 54, &t) &&
		   !udp_is_loopback(&t.peer),
		   "--no-map-gw: gateway is the gateway");
	c->no_map_gw = false;
}

/**
 * unit_cmsg() - Control messages: local address in, source and segment out
 */
static void unit_cmsg(void)
{
	union inany_addr a = unit_v4("192.0.2.3"), got;
	struct in6_pktinfo pi6 = { .ipi6_ifindex = 1 };
	struct in_pktinfo pi4 = { .ipi_ifindex = 1 };
	struct msghdr mh = { 0 };
	struct iovec iov[2] = { { NULL, 8 }, { NULL, 8 } };
	union udp_cmsg buf;
	struct cmsghdr *cm;

	/* Received: what the kernel writes for IP_PKTINFO */
	udp_cmsg_rx(&mh, &buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi4));
	inet_pton(AF_INET, "192.0.2.3", &pi4.ipi_spec_dst);
	inet_pton(AF_INET, "192.0.2.255", &pi4.ipi_addr);
	memcpy(CMSG_DATA(cm), &pi4, sizeof(pi4));
	mh.msg_controllen = CMSG_SPACE(sizeof(pi4));
	udp_cmsg_local(&mh, &got);
	unit_check(inany_equals(&got, &a),
		   "IP_PKTINFO: local address is the specific destination");
	mh.msg_flags = MSG_CTRUNC;
	udp_cmsg_local(&mh, &got);
	unit_check(udp_is_unspec(&got), "truncated control: no address");
	mh.msg_flags = 0;

	udp_cmsg_rx(&mh, &buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi6));
	inet_pton(AF_INET6, "2001:db8::3", &pi6.ipi6_addr);
	memcpy(CMSG_DATA(cm), &pi6, sizeof(pi6));
	mh.msg_controllen = CMSG_SPACE(sizeof(pi6));
	udp_cmsg_local(&mh, &got);
	unit_check(IN6_ARE_ADDR_EQUAL(&got.a6, &pi6.ipi6_addr),
		   "IPV6_PKTINFO: local address");
	inet_pton(AF_INET6, "ff02::fb", &pi6.ipi6_addr);
	memcpy(CMSG_DATA(cm), &pi6, sizeof(pi6));
	udp_cmsg_local(&mh, &got);
	unit_check(udp_is_unspec(&got), "IPV6_PKTINFO: multicast ignored");

	/* Sent: source address first, then UDP_SEGMENT */
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 1;
	udp_cmsg_tx(&mh, &buf, &a, false);
	cm = CMSG_FIRSTHDR(&mh);
	memcpy(&pi4, CMSG_DATA(cm), sizeof(pi4));
	unit_check(cm->cmsg_type == IP_PKTINFO && !pi4.ipi_ifindex &&
		   pi4.ipi_spec_dst.s_addr == inany_v4(&a)->s_addr,
		   "send: IP_PKTINFO names the source, no interface");
	udp_cmsg_segment(&mh, 8);
	mh.msg_iovlen = 2;
	cm = CMSG_NXTHDR(&mh, cm);
	unit_check(cm && cm->cmsg_level == IPPROTO_UDP &&
		   cm->cmsg_type == UDP_SEGMENT &&
		   udp_cmsg_unsegmented(&mh) == CMSG_SPACE(sizeof(pi4)) &&
		   mh.msg_controllen <= sizeof(buf),
		   "send: UDP_SEGMENT after the source, split keeps it");
	unit_check(udp_cmsg_segmented(&mh) && udp_mm_dgrams(&mh) == 2,
		   "UDP_SEGMENT: each vector a datagram");
	udp_cmsg_tx(&mh, &buf, &a, false);
	unit_check(!udp_cmsg_segmented(&mh) && udp_mm_dgrams(&mh) == 1 &&
		   udp_cmsg_unsegmented(&mh) == CMSG_SPACE(sizeof(pi4)),
		   "two vectors, no UDP_SEGMENT: pieces of one datagram");
	memset(&got, 0, sizeof(got));
	mh.msg_iovlen = 1;
	udp_cmsg_tx(&mh, &buf, &got, false);
	unit_check(!mh.msg_controllen && !udp_cmsg_segmented(&mh),
		   "send: no source, no control message");
}

/**
 * unit_tap_in() - Datagram from a host peer to forwarded port 7000
 * @port:	Peer's port
 * @laddr:	Local address it was sent to
 * @now:	Current time
 *
 * Return: its TAP_IN flow, NULL if refused
 */
static struct udp_flow *unit_tap_in(uint16_t port, const char *laddr,
				    const struct timespec *now)
{
	struct flowside ini = { .peer = unit_v4("198.51.100.1"),
				.local = unit_v4(laddr),
				.peer_port = port, .local_port = 7000 };
	struct udp_splice_run run = { 0, NULL };

	return udp_listen_flow(&unit_ctx, PIF_HOST, false, &ini, &run, now);
}

/**
 * unit_walk() - The timer's walk of the flow table, as passt.c does it
 * @now:	Current time
 */
static void unit_walk(const struct timespec *now)
{
	struct flow_common *f;
	uint32_t i;

	for (i = 0; i < flow_hiwat(); i++) {
		if ((f = flow_at(i)) && f->type == FLOW_UDP)
			udp_flow_timer(&unit_ctx, udp_flow_of(f), now);
	}
}

/**
 * unit_flows() - UDP flows in the flow table: lookups, cap, expiry
 */
static void unit_flows(void)
{
	struct flowside reply = { .peer = unit_v4("192.0.2.7"),
				  .local = unit_v4("198.51.100.1"),
				  .peer_port = 7000, .local_port = 1000 };
	unsigned long long full = unit_ctx.stats.udp_drop_full;
	struct timespec now = { .tv_sec = 100 };
	struct udp_flow *first, *uf;
	uint32_t ref;
	unsigned n;

	flow_limit_set(FLOW_UDP, UDP_FLOW_MIN);
	first = unit_tap_in(1000, "192.0.2.1", &now);
	unit_check(first && udp_flow_kind(first) == UDP_FLOW_TAP_IN &&
		   unit_tap_in(1000, "192.0.2.1", &now) == first,
		   "TAP_IN flow found again by its host side");
	unit_check(udp_tap_flow(&unit_ctx, &reply, false, 1, &now) == first &&
		   inany_equals(&first->gaddr, &reply.peer),
		   "guest reply from another address: tap side, new @gaddr");
	unit_check(unit_tap_in(1000, "192.0.2.2", &now) == first &&
		   inany_equals(&first->f.side[FLOW_SIDE_INI].local,
				&(union inany_addr){ .a6 = unit_v4(
					"192.0.2.2").a6 }) &&
		   unit_tap_in(1000, "192.0.2.2", &now) == first,
		   "same peer to another local address: same flow, rehashed");
	for (n = 1; n < UDP_FLOW_MIN; n++) {
		now.tv_sec++;
		unit_tap_in((uint16_t)(1000 + n), "192.0.2.1", &now);
	}
	unit_check(flow_count(FLOW_UDP) == UDP_FLOW_MIN, "cap reached");
	unit_check(!unit_tap_in(2000, "192.0.2.1", &now) &&
		   unit_ctx.stats.udp_drop_full == full + 1 &&
		   unit_tap_in(1000, "192.0.2.2", &now) == first,
		   "full: new flow refused and counted, the oldest one kept");
	ref = flow_ref(&first->f, FLOW_SIDE_TGT);
	udp_flow_close(&unit_ctx, first);
	uf = unit_tap_in(2000, "192.0.2.1", &now);
	unit_check(uf == first && !flow_from_ref(ref, FLOW_UDP, NULL) &&
		   flow_from_ref(flow_ref(&uf->f, FLOW_SIDE_TGT), FLOW_UDP,
				 NULL) == &uf->f,
		   "slot reused: the old reference is stale, the new one not");
	now.tv_sec += udp.timeout - 1;
	udp_flow_touch(uf, &now);
	now.tv_sec += 1;
	unit_walk(&now);
	unit_check(flow_count(FLOW_UDP) == 1 &&
		   unit_tap_in(2000, "192.0.2.1", &now) == uf,
		   "idle flows expire, the recently used one stays");
	now.tv_sec += udp.timeout;
	unit_walk(&now);
	unit_check(flow_count(FLOW_UDP) == 0, "all idle flows expire");
	flow_limit_set(FLOW_UDP, UDP_FLOW_MAX);
}

/**
 * unit_frame() - Build a frame for a flow and check its UDP checksum
 * @pasta:	Pasta mode with checksum offload and USO
 */
static void unit_frame(bool pasta)
{
	union inany_addr g = unit_v4("192.0.2.1"), f = unit_v4("198.51.100.1");
	struct timespec now = { .tv_sec = 1 };
	struct udp_txq *q = &udp.txq[0];
	size_t s, total, dlen = 100, j;
	struct flowside ini, tgt = { 0 };
	struct udp_flow *uf;
	struct udphdr *uh;
	struct iphdr *ip4h;
	uint32_t sum;

	unit_ctx.mode = pasta ? MODE_PASTA : MODE_PASST;
	unit_ctx.vnet_hdr = pasta;
	unit_ctx.tap_offloads = pasta ? UDP_TUN_F_USO4 : 0;
	ini = (struct flowside){ .peer = g, .local = f, .peer_port = 40000,
				 .local_port = 7000 };
	uf = udp_flow_new(PIF_TAP, &ini, PIF_HOST, &tgt, &now);
	udp_flow_activate(uf);
	q->nq = 0;
	for (j = 0; j < 4; j++) {
		s = q->order[j];
		memset(q->buf[s] + UDP_OFF_DATA(false), (int)j + 1, dlen);
		udp_frame_fill(&unit_ctx, q, false, s, uf,
			       j == 3 ? dlen / 2 : dlen);
		q->nq++;
	}
	s = q->order[0];
	uh = (struct udphdr *)(void *)(q->buf[s] + UDP_OFF_L4(false));
	ip4h = (struct iphdr *)(void *)(q->buf[s] + UDP_OFF_L3);
	unit_check(be16_to_host(uh->source) == 7000 &&
		   be16_to_host(uh->dest) == 40000 &&
		   ip4h->daddr == in4_to_be32(g.v4mapped.a4),
		   pasta ? "pasta frame: ports and addresses" :
			   "passt frame: ports and addresses");
	sum = csum_pseudo4(dlen + 8, IPPROTO_UDP, f.v4mapped.a4,
			   g.v4mapped.a4);
	if (pasta) {
		struct tap_hdr *th = (struct tap_hdr *)(void *)q->buf[s];
		uint16_t want = (uint16_t)(0xffffU ^
					   (__force uint16_t)csum_fold(sum));
		uint16_t got = (__force uint16_t)uh->check;

		unit_check(th->vnet.flags == VIRTIO_NET_HDR_F_NEEDS_CSUM &&
			   got == want,
			   "pasta frame: partial checksum, NEEDS_CSUM");
		unit_check(udp_gso_count(&unit_ctx, q, false, 0, &total) == 4 &&
			   total == 3 * dlen + dlen / 2,
			   "same flow, same size, shorter last: one super-frame");
	} else {
		sum = csum_unfolded(uh, sizeof(*uh) + dlen, sum);
		unit_check(csum_fold(sum) == 0, "passt frame: checksum valid");
		unit_check(udp_gso_count(&unit_ctx, q, false, 0, &total) == 1,
			   "passt: no super-frames");
	}
	unit_frames_sent = 0;
	udp_flush(&unit_ctx);
	unit_check(unit_frames_sent == (pasta ? 1 : 4) && !q->nq,
		   pasta ? "pasta flush: one frame" : "passt flush: 4 frames");
	udp_flow_close(&unit_ctx, uf);
}

/**
 * main() - Run the checks
 *
 * Return: 0 if all passed
 */
int main(void)
{
	struct ctx *c = &unit_ctx;

	log_init("udp-unit", true, LOG_ERR);
	flow_init();
	udp_state_init();
	udp.timeout = UDP_TIMEOUT_DEFAULT;
	inet_pton(AF_INET, "192.0.2.1", &c->ip4.addr);
	inet_pton(AF_INET, "192.0.2.254", &c->ip4.gw);
	c->ip4.map_host_loopback = c->ip4.gw;
	inet_pton(AF_INET, "192.0.2.53", &c->ip4.dns_match);
	inet_pton(AF_INET, "198.51.100.53", &c->ip4.dns_host);
	c->epollfd = -1;
	c->fd_tap = -1;

	unit_proc();
	unit_addrs();
	unit_cmsg();
	unit_flows();
	unit_frame(false);
	unit_frame(true);
	return unit_done();
}
