// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_vu.c - TCP data to a vhost-user guest, peeked into its buffers
 *
 * Theory of Operation
 *
 * With --vhost-user, socket data to the guest takes no copy in between:
 * the guest's receive chains are taken first (tap_vu_rx_take(), as many
 * frames as tap_room() says the ring holds and the guest's window takes),
 * and recvmsg(MSG_PEEK) writes the payload straight into them, through an
 * iovec over each frame's buffers that starts after the room for the
 * virtio-net header and the Ethernet, IP and TCP headers. The headers are
 * then built in a scratch struct tcp_frame by tcp_frame.c, as tcp_buf.c's
 * are (checksum, or partial checksum and GSO fields), copied into the
 * frame's first bytes, and the frame is given to the guest
 * (tap_vu_rx_put(): num_buffers, used ring). Chains the data didn't reach
 * return to the available ring (tap_vu_rx_end()) before anything else can
 * take receive chains. The used ring is published, and the guest
 * notified, once per batch of events (tcp_vu_flush(), from tcp_flush()).
 *
 * Sequence bookkeeping is the same as for tcp_buf.c's frames: each frame
 * moves @seq_to_tap past its payload, the last one of the stream carries
 * our FIN (tcp_frame_sent()). Since a frame is built only into buffers
 * the guest gave us, it can't fail to go out afterwards: nothing is ever
 * undone here. If there is no buffer, nothing is read, the data stays in
 * the socket (TCP_F_SOCK_PENDING) and tcp_resume() goes on once the guest
 * posts more.
 *
 * Single-segment retransmissions (tcp.c, fast recovery) come through here
 * too, with @seq_to_tap moved back for the call. Frames without payload
 * still go through tcp_buf.c: headers only, nothing to peek.
 */

#include <stddef.h>
#include <string.h>
#include <sys/uio.h>

#include "pcap.h"
#include "tap_out.h"
#include "tap_vu.h"
#include "tcp_conn.h"
#include "tcp_frame.h"
#include "tcp_vu.h"
#include "util.h"

#define TCP_VU_IOV		1024	/* Frame buffers in one batch */

/**
 * struct tcp_vu_batch - Frames being built in the guest's buffers
 * @fr:		Scratch headers of the frame being written
 * @iov:	Frame buffers of all frames, from the Ethernet header on
 * @piece:	Scratch: pieces of one frame's payload, or of one frame
 * @first:	Per frame: first entry in @iov
 * @cnt:	Per frame: entries in @iov
 * @dlen:	Per frame: payload bytes the buffers hold
 * @nframes:	Frames taken
 * @hlen:	Ethernet, IP and TCP header length of these frames, bytes
 */
static struct tcp_vu_batch {
	struct tcp_frame fr;
	struct iovec iov[TCP_VU_IOV];
	struct iovec piece[TCP_VU_IOV];
	uint16_t first[TAP_VU_RX_FRAMES];
	uint16_t cnt[TAP_VU_RX_FRAMES];
	uint32_t dlen[TAP_VU_RX_FRAMES];
	size_t nframes;
	size_t hlen;
} tcp_vu;

/**
 * tcp_vu_slice() - Pieces of a byte range of buffers
 * @src:	Buffers
 * @cnt:	Number of them
 * @off:	Start of the range, bytes
 * @len:	Length of the range, bytes
 * @dst:	Pieces (output)
 * @max:	Entries in @dst
 *
 * Return: entries filled; fewer bytes than @len if @src or @dst ran out
 */
static size_t tcp_vu_slice(const struct iovec *src, size_t cnt, size_t off,
			   size_t len, struct iovec *dst, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < cnt && len && n < max; i++) {
		if (off >= src[i].iov_len) {
			off -= src[i].iov_len;
			continue;
		}
		dst[n].iov_base = (char *)src[i].iov_base + off;
		dst[n].iov_len = MIN(len, src[i].iov_len - off);
		len -= dst[n++].iov_len;
		off = 0;
	}
	return n;
}

/**
 * tcp_vu_hdr_copy() - Copy a frame's headers into its first buffers
 * @iov:	Frame buffers, from the Ethernet header
 * @cnt:	Number of them
 * @hdr:	Headers
 * @hlen:	Their length, bytes; the buffers hold at least as much
 */
static void tcp_vu_hdr_copy(const struct iovec *iov, size_t cnt,
			    const uint8_t *hdr, size_t hlen)
{
	size_t i;

	for (i = 0; i < cnt && hlen; i++) {
		size_t chunk = MIN(hlen, iov[i].iov_len);

		memcpy(iov[i].iov_base, hdr, chunk);
		hdr += chunk;
		hlen -= chunk;
	}
}

/**
 * tcp_vu_frame_take() - Take the guest's buffers for one more frame
 * @dlen:	Payload bytes wanted
 * @piov:	Payload iovecs for recvmsg() (output), appended
 * @max:	Entries left in @piov
 *
 * Return: entries appended to @piov, 0 if no buffer (or no iovec) left
 */
static size_t tcp_vu_frame_take(size_t dlen, struct iovec *piov, size_t max)
{
	size_t k = tcp_vu.nframes, first, got, cnt, n;

	first = k ? tcp_vu.first[k - 1] + tcp_vu.cnt[k - 1] : 0;
	cnt = first;
	got = tap_vu_rx_take(tcp_vu.hlen + dlen, tcp_vu.iov, TCP_VU_IOV, &cnt);
	if (got <= tcp_vu.hlen)
		return 0;
	n = tcp_vu_slice(tcp_vu.iov + first, cnt - first, tcp_vu.hlen,
			 got - tcp_vu.hlen, piov, max);
	tcp_vu.first[k] = (uint16_t)first;
	tcp_vu.cnt[k] = (uint16_t)(cnt - first);
	tcp_vu.dlen[k] = 0;
	for (first = 0; first < n; first++)
		tcp_vu.dlen[k] += (uint32_t)piov[first].iov_len;
	tcp_vu.nframes++;
	return n;
}

/**
 * tcp_vu_peek_iov() - iovecs over the guest's buffers for the next frames
 * @c:		Execution context
 * @conn:	Connection
 * @avail:	Bytes the guest's window still takes
 * @iov:	iovecs (output)
 * @max:	Entries available in @iov
 *
 * Frames are not prepared beyond what the back-end takes now (tap_room()).
 * The buffers stay taken until tcp_vu_data_queue(), which the caller
 * must call next, also if nothing is read.
 *
 * Return: entries filled, covering at most @avail bytes; 0 if there is no
 * buffer (nothing taken)
 */
size_t tcp_vu_peek_iov(struct ctx *c, const struct tcp_conn *conn,
		       size_t avail, struct iovec *iov, size_t max)
{
	size_t fsize = tcp_frame_size(c, conn), n = 0, room, k;

	tcp_vu.nframes = 0;
	tcp_vu.hlen = tcp_frame_hlen(conn, 0);
	room = MIN(tap_room(c, fsize + tcp_vu.hlen), TAP_VU_RX_FRAMES);
	while (avail && tcp_vu.nframes < room && n < max) {
		if (!(k = tcp_vu_frame_take(MIN(avail, fsize), iov + n,
					    max - n)))
			break;
		avail -= tcp_vu.dlen[tcp_vu.nframes - 1];
		n += k;
	}
	if (!n)
		tap_vu_rx_end();
	return n;
}

/**
 * tcp_vu_frame_put() - Write one frame's headers, give it to the guest
 * @c:		Execution context
 * @conn:	Connection
 * @k:		Frame index in the batch
 * @flags:	TCP flags
 * @dlen:	Payload bytes, already in the frame's buffers
 */
static void tcp_vu_frame_put(struct ctx *c, struct tcp_conn *conn, size_t k,
			     uint8_t flags, size_t dlen)
{
	const struct iovec *fiov = tcp_vu.iov + tcp_vu.first[k];
	struct tcp_frame_seg s = { .flags = flags, .seq = conn->seq_to_tap,
				   .data = tcp_vu.piece };
	size_t hlen, n;

	s.cnt = tcp_vu_slice(fiov, tcp_vu.cnt[k], tcp_vu.hlen, dlen,
			     tcp_vu.piece, TCP_VU_IOV);
	hlen = tcp_frame_fill(c, conn, &tcp_vu.fr, &s);
	tcp_vu_hdr_copy(fiov, tcp_vu.cnt[k], tcp_vu.fr.hdr.l2, hlen);
	tap_vu_rx_put(&tcp_vu.fr.taph, hlen + dlen);
	n = tcp_vu_slice(fiov, tcp_vu.cnt[k], 0, hlen + dlen, tcp_vu.piece,
			 TCP_VU_IOV);
	pcap_iov(tcp_vu.piece, n);
	c->stats.tap_frames_out++;
}

/**
 * tcp_vu_data_queue() - Give the guest frames for bytes just peeked
 * @c:		Execution context
 * @conn:	Connection; @seq_to_tap and @seq_high advance
 * @len:	Bytes peeked into the buffers from tcp_vu_peek_iov(), 0 if
 *		none: the buffers are given back
 * @fin:	These are the last bytes of the stream: the last frame carries
 *		our FIN too (TCP_EV_TAP_FIN_SENT)
 */
void tcp_vu_data_queue(struct ctx *c, struct tcp_conn *conn, size_t len,
		       bool fin)
{
	size_t k;

	for (k = 0; k < tcp_vu.nframes && len; k++) {
		size_t dlen = MIN(len, (size_t)tcp_vu.dlen[k]);
		uint8_t flags = TCP_ACK;

		if (dlen == len)
			flags |= fin ? TCP_PSH | TCP_FIN : TCP_PSH;
		tcp_vu_frame_put(c, conn, k, flags, dlen);
		conn->seq_to_tap += (uint32_t)dlen;
		len -= dlen;
	}
	tap_vu_rx_end();
	if (k)
		tcp_frame_sent(conn, fin);
	tcp_vu.nframes = 0;
}

/**
 * tcp_vu_flush() - Publish the frames given in place, notify the guest
 */
void tcp_vu_flush(void)
{
	tap_vu_rx_flush();
}
