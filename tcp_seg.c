// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_seg.c - TCP segments from the guest, each parsed once per batch
 *
 * tcp_tap_handler() gets the segments of one flow from one tap read, and
 * hands them here once: each header is copied out of the tap buffer (it may
 * be unaligned), its data offset checked against the message, the payload
 * checked (it may lie in pieces: the senders take it with packet_data()),
 * and, for a SYN, the MSS and window scale options read. All of
 * it goes through the packet pool's bounds checks: nothing here reads a
 * byte the guest did not send. The handlers then work on the records only.
 *
 * A malformed header (shorter than 20 bytes, a data offset below five words
 * or past the message) makes the record invalid; the handlers count it as
 * dropped. Malformed options (a length below two, or running past the
 * header) end the option list: what was read before them stands, as it
 * would for a host stack that ignores what it can't parse.
 */

#include <string.h>

#include "packet.h"
#include "tcp_seg.h"
#include "util.h"

/**
 * tcp_seg_opts() - Read MSS and window scale options of a SYN segment
 * @p:		Pool of L4 messages
 * @i:		Index of the segment in @p
 * @seg:	Segment, header parsed, options read into @mss and @ws;
 *		@opts_bad set if an option's length is under 2 or runs past
 *		the header (what was read before it is kept)
 */
static void tcp_seg_opts(const struct pool *p, size_t i, struct tcp_seg *seg)
{
	size_t optlen = seg->hlen - sizeof(seg->th), off = 0;
	const uint8_t *o;

	if (!optlen)
		return;
	o = packet_get(p, i, sizeof(seg->th), optlen, NULL);
	while (o && off < optlen && o[off] != TCPOPT_END) {
		size_t len = o[off] == TCPOPT_NOP ? 1 : 0;

		if (!len && (optlen - off < 2 || o[off + 1] < 2 ||
			     o[off + 1] > optlen - off)) {
			seg->opts_bad = true;
			return;
		}
		if (!len)
			len = o[off + 1];
		if (o[off] == TCPOPT_MSS && len == 4)
			seg->mss = o[off + 2] << 8 | o[off + 3];
		else if (o[off] == TCPOPT_WS && len == 3)
			seg->ws = (int8_t)MIN(o[off + 2], TCP_SEG_WS_MAX);
		off += len;
	}
}

/**
 * tcp_seg_parse() - Copy out and check the header of a segment
 * @p:		Pool of L4 messages
 * @i:		Index in @p
 * @seg:	Parsed segment (output), @seg->ok as returned
 *
 * Return: true if the header is complete and its offset fits the message
 */
bool tcp_seg_parse(const struct pool *p, size_t i, struct tcp_seg *seg)
{
	size_t l4len = packet_len(p, i);
	const uint8_t *th = packet_get(p, i, 0, sizeof(seg->th), NULL);
	struct iovec v[PACKET_IOV_MAX];

	memset(seg, 0, sizeof(*seg));
	seg->mss = -1;
	seg->ws = -1;
	if (!th)
		return false;
	memcpy(&seg->th, th, sizeof(seg->th));
	seg->hlen = (size_t)seg->th.doff * 4;
	if (seg->hlen < sizeof(seg->th) || seg->hlen > l4len)
		return false;
	seg->flags = th[13];
	seg->seq = be32_to_host((__force __be32)seg->th.seq);
	seg->ack = be32_to_host((__force __be32)seg->th.ack_seq);
	seg->wnd = be16_to_host((__force __be16)seg->th.window);
	seg->dlen = l4len - seg->hlen;
	if (seg->dlen && !packet_data(p, i, seg->hlen, seg->dlen, v,
				      ARRAY_SIZE(v)))
		return false;
	seg->p = p;
	seg->idx = i;
	if (seg->flags & TCP_SYN)
		tcp_seg_opts(p, i, seg);
	seg->ok = true;
	return true;
}
