// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_splice.c - UDP loopback splice path (pasta): socket to socket
 *
 * Datagrams a loopback peer sends to a forwarded port on one side, and all
 * datagrams to namespace-side forwarded ports, are not turned into frames:
 * they are read with recvmmsg() and written with sendmmsg() to a socket
 * on the other side owned by a UDP_FLOW_SPLICE flow (see the Theory of
 * Operation in udp.c): its INI side is the listening socket's (PIF_HOST
 * for -u, PIF_SPLICE for -U), its TGT side the other one. Namespace-side
 * flow sockets come from udp_sock.c's pool of sockets created in the
 * namespace. Datagrams are collected into this file's sendmmsg() scratch,
 * udp_splice, and sent one batch per run of datagrams for the same flow.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "flow.h"
#include "log.h"
#include "ctx.h"
#include "udp_cmsg.h"
#include "udp_flow.h"
#include "udp_internal.h"
#include "udp_sock.h"
#include "udp_splice.h"
#include "util.h"

/**
 * struct udp_splice_tx - sendmmsg() scratch of spliced datagrams
 * @mm:		Message headers
 * @iov:	Payload vectors, into the frame slots they were received in
 * @sa:		Destinations: the INI peer, for replies
 * @cmsg:	Control messages: the source address of replies
 */
struct udp_splice_tx {
	struct mmsghdr mm[UDP_SEND_BATCH];
	struct iovec iov[UDP_SEND_BATCH];
	struct sockaddr_in6 sa[UDP_SEND_BATCH];
	union udp_cmsg cmsg[UDP_SEND_BATCH];
};

static_assert(UDP_MAX_FRAMES <= UDP_SEND_BATCH,
	      "the scratch holds the datagrams of one receive");

static struct udp_splice_tx udp_splice;

/**
 * udp_flow_splice() - Create a spliced flow for a peer of a listening socket
 * @c:		Execution context
 * @pif:	Interface of the listening socket: PIF_HOST or PIF_SPLICE
 * @v6:		IPv6
 * @ini:	Peer, local address it sent to (replies come from it) and
 *		listening port
 * @tgt:	Other side, as fwd_from_host() decided: the target as peer,
 *		the address (loopback or unspecified) and port to bind
 * @now:	Current time
 *
 * Return: the flow, NULL on failure (the datagram is counted as dropped)
 */
struct udp_flow *udp_flow_splice(struct ctx *c, enum flow_pif pif, bool v6,
				 const struct flowside *ini,
				 const struct flowside *tgt,
				 const struct timespec *now)
{
	struct udp_flow *uf;

	uf = udp_flow_new(pif, ini, pif == PIF_HOST ? PIF_SPLICE : PIF_HOST,
			  tgt, now);
	if (!uf) {
		udp_drop(&c->stats.udp_drop_full, 1);
		return NULL;
	}
	uf->sock = pif == PIF_HOST ? udp_sock_ns(c, v6, uf) :
				     udp_sock_new(c, v6, false, uf);
	if (uf->sock < 0 ||
	    udp_sock_bind_connect(uf->sock, &uf->f.side[FLOW_SIDE_TGT], v6) ||
	    udp_flow_sock_add(c, uf)) {
		debug_ratelimit("UDP: can't open spliced socket: %s",
				strerror(errno));
		udp_flow_close(c, uf);
		udp_drop(&c->stats.udp_drop_flow, 1);
		return NULL;
	}
	udp_flow_activate(uf);
	flow_log(&uf->f, "UDP splice");
	return uf;
}

/**
 * udp_splice_send() - Send spliced datagrams collected in the scratch
 * @c:		Execution context
 * @fd:		Socket
 * @n:		Messages in the scratch
 */
void udp_splice_send(struct ctx *c, int fd, size_t n)
{
	if (!n)
		return;
	if (fd < 0) {
		udp_drop(&c->stats.udp_drop_flow, n);
		return;
	}
	udp_send_batch(c, fd, udp_splice.mm, n, NULL);
}

/**
 * udp_splice_add() - Add a received datagram to the splice scratch
 * @q:		Queue the datagram was received into
 * @j:		Its position
 * @v6:		IPv6
 * @n:		Index in the scratch
 * @dest:	Flow whose INI peer the datagram goes to, from the address
 *		the peer sent to (unconnected listening socket); NULL if the
 *		socket is connected
 */
void udp_splice_add(const struct udp_txq *q, size_t j, bool v6, size_t n,
		    const struct udp_flow *dest)
{
	struct msghdr *mh = &udp_splice.mm[n].msg_hdr;
	const struct flowside *ini;

	udp_splice.iov[n] = q->iov[j];
	udp_splice.iov[n].iov_len = q->mm[j].msg_len;
	memset(mh, 0, sizeof(*mh));
	mh->msg_iov = &udp_splice.iov[n];
	mh->msg_iovlen = 1;
	if (dest) {
		ini = &dest->f.side[FLOW_SIDE_INI];
		mh->msg_name = &udp_splice.sa[n];
		mh->msg_namelen = udp_sa_set(&udp_splice.sa[n], &ini->peer,
					     ini->peer_port, v6);
		udp_cmsg_tx(mh, &udp_splice.cmsg[n], &ini->local, v6);
	}
}

/**
 * udp_splice_run_flush() - Send the datagrams of a splice run
 * @c:		Execution context
 * @run:	Run, emptied
 */
void udp_splice_run_flush(struct ctx *c, struct udp_splice_run *run)
{
	if (run->n)
		udp_splice_send(c, run->uf ? run->uf->sock : -1, run->n);
	run->n = 0;
	run->uf = NULL;
}

/**
 * udp_listen_splice() - Splice one datagram read from a listening socket
 * @c:		Execution context
 * @uf:		Its flow, a SPLICE one
 * @q:		Queue the datagram was received into
 * @j:		Position of the datagram in @q
 * @run:	Current splice run (input/output)
 * @now:	Current time
 */
void udp_listen_splice(struct ctx *c, struct udp_flow *uf,
		       const struct udp_txq *q, size_t j,
		       struct udp_splice_run *run, const struct timespec *now)
{
	if (uf != run->uf || run->n == UDP_SEND_BATCH)
		udp_splice_run_flush(c, run);
	run->uf = uf;
	udp_flow_touch(uf, now);
	udp_splice_add(q, j, udp_flow_v6(uf), run->n++, NULL);
}
