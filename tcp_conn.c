// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_conn.c - TCP tap-path connections in the flow table: sides, lookups
 *
 * Theory of Operation
 *
 * A connection of the tap path is a FLOW_TCP slot of the one flow table
 * (flow.c): struct tcp_conn starts with the flow's common part, and its
 * own fields fill the rest of the FLOW_SLOT_BYTES slot. No allocation
 * happens per connection, and slots never move: a connection keeps its
 * index, and the epoll reference of its socket (EPOLL_TYPE_TCP), flow_ref()
 * of its host side, stays valid from creation to close, without any
 * epoll_ctl() to update it. Its timer is no descriptor but a deadline
 * under the same index (tcp_timerq.c): one descriptor per connection.
 *
 * Sides: an outbound connection starts on the tap (FLOW_SIDE_INI is
 * PIF_TAP) and goes to the host (FLOW_SIDE_TGT is PIF_HOST); an inbound
 * one, accepted on a forwarded port, is the reverse. The tap side holds
 * the guest's address and port as peer, and as local the far end as the
 * guest sees it (after fwd.c's translations); the host side the socket's
 * peer and, when known without a syscall, its local address. Only the tap
 * side is hashed: segments from the guest are looked up by their
 * addresses and ports (tcp_conn_lookup()), under the flow table's SipHash
 * key. The IPv6 flow label towards the guest is a hash of the tap side,
 * taken when the connection starts: one label per connection.
 *
 * Life cycle: flow_alloc() gives a slot in FLOW_STATE_NEW, and the
 * connection stays there while connect() is pending or our SYN waits for
 * the guest's answer; FLOW_STATE_ACTIVE once established, and
 * FLOW_STATE_CLOSING from the first FIN either way (tcp_conn_event()).
 * TCP keeps its own event bits (enum tcp_conn_ev) beside these states.
 * Closing the socket frees the slot at once, its timer cancelled
 * (tcp_conn_free()): events for it still queued in this epoll batch carry
 * the old generation, and flow_from_ref() refuses them even if a new
 * connection took the slot meanwhile.
 *
 * Full table: flow_alloc() returns NULL once the table, or the cap set for
 * FLOW_TCP, is full (all FLOW_MAX slots by default; for tests only,
 * PASST_TCP_CONN_MAX lowers the cap, read once by tcp_init()): a guest's
 * SYN is then answered with an RST, an accepted socket is closed, and
 * both are counted (tcp_drop_full, and the flow table's own refusals).
 *
 * Initial sequence numbers (RFC 6528): SipHash of the tap side under a
 * secret key of this file, plus a clock ticking every 4.096 us.
 */

#include <string.h>

#include "siphash.h"
#include "tcp_conn.h"
#include "tcp_timerq.h"
#include "util.h"

/**
 * struct tcp_conn_keys - Secrets of TCP connections
 * @isn:	Key for initial sequence numbers
 */
static struct tcp_conn_keys {
	struct siphash_key isn;
} tcp_conn_keys;

/* Names of enum tcp_conn_ev bits, for debug messages */
static const char *const tcp_conn_ev_name[TCP_EV_NUM] = {
	"SYN_FROM_TAP", "SYNACK_TO_TAP", "SYN_TO_TAP", "ESTABLISHED",
	"TAP_FIN_RCVD", "SOCK_EOF", "TAP_FIN_SENT", "TAP_FIN_ACKED",
};

/**
 * tcp_conn_init() - Draw the secret key for initial sequence numbers
 */
void tcp_conn_init(void)
{
	raw_random(&tcp_conn_keys, sizeof(tcp_conn_keys));
}

/**
 * tcp_conn_isn() - Initial sequence number towards the guest (RFC 6528)
 * @conn:	Connection, sides set
 * @now:	Current time
 *
 * Return: sequence number
 */
uint32_t tcp_conn_isn(const struct tcp_conn *conn, const struct timespec *now)
{
	uint64_t ns = (uint64_t)now->tv_sec * 1000000000ULL +
		      (uint64_t)now->tv_nsec;

	return (uint32_t)siphash_2_4(&tcp_conn_keys.isn, tcp_tapside(conn),
				     sizeof(struct flowside)) +
	       (uint32_t)(ns >> 12);
}

/**
 * tcp_conn_lookup() - Find a connection by its addresses and ports
 * @tap:	Tap side: guest as peer, far end (as the guest sees it) local
 *
 * Return: connection, NULL if none
 */
struct tcp_conn *tcp_conn_lookup(const struct flowside *tap)
{
	struct flow_common *f = flow_lookup(FLOW_TCP, PIF_TAP, tap, NULL);

	return tcp_conn_of(f);
}

/**
 * tcp_conn_new() - Take a flow table slot for a connection, hash it
 * @inbound:	Accepted on a forwarded port: the host side initiated it
 * @tap:	Tap side: guest as peer, far end (as the guest sees it) local
 * @host:	Host side: the socket's peer, and local address if known
 *
 * Return: connection with sides set, in FLOW_STATE_NEW, without sockets;
 *	   NULL if the table is full (counted by the flow table)
 */
struct tcp_conn *tcp_conn_new(bool inbound, const struct flowside *tap,
			      const struct flowside *host)
{
	unsigned tapside = inbound ? FLOW_SIDE_TGT : FLOW_SIDE_INI;
	struct flow_common *f = flow_alloc(FLOW_TCP);
	struct tcp_conn *conn;

	if (!f)
		return NULL;
	conn = tcp_conn_of(f);
	f->pif[tapside] = PIF_TAP;
	f->pif[!tapside] = PIF_HOST;
	f->side[tapside] = *tap;
	f->side[!tapside] = *host;
	conn->sock = -1;
	conn->v6 = !inany_v4(&tap->peer);
	flow_hash_insert(f, tapside);
	flow_log(f, inbound ? "inbound" : "outbound");
	return conn;
}

/**
 * tcp_conn_from_ref() - Connection an epoll reference points to
 * @ref:	Reference: tcp_conn_ref() in data, socket in fd
 *
 * Return: connection, NULL if the reference is stale
 */
struct tcp_conn *tcp_conn_from_ref(union epoll_ref ref)
{
	struct flow_common *f = flow_from_ref(ref.data, FLOW_TCP, NULL);
	struct tcp_conn *conn;

	if (!f)
		return NULL;
	conn = tcp_conn_of(f);
	if (conn->sock != ref.fd)
		return NULL;
	return conn;
}

/**
 * tcp_conn_free() - Cancel a connection's timer, unhash it, free its slot
 * @conn:	Connection; its socket is already closed
 *
 * The slot is zeroed and may be reused by the next connection: callers
 * check tcp_conn_closed() before touching @conn again.
 */
void tcp_conn_free(struct tcp_conn *conn)
{
	if (tcp_conn_closed(conn))
		return;
	tcp_timerq_cancel(tcp_conn_idx(conn));
	if (conn->f.state != FLOW_STATE_CLOSING)
		flow_state_set(&conn->f, FLOW_STATE_CLOSING);
	flow_free(&conn->f);
}

/**
 * tcp_conn_flow_state() - Flow state that follows from a connection event
 * @conn:	Connection
 * @ev:		enum tcp_conn_ev bit just set
 */
static void tcp_conn_flow_state(struct tcp_conn *conn, uint16_t ev)
{
	enum flow_state s = (enum flow_state)conn->f.state;

	if ((ev & (TCP_EV_TAP_FIN_RCVD | TCP_EV_SOCK_EOF)) &&
	    s != FLOW_STATE_CLOSING)
		flow_state_set(&conn->f, FLOW_STATE_CLOSING);
	else if ((ev & TCP_EV_ESTABLISHED) && s == FLOW_STATE_NEW)
		flow_state_set(&conn->f, FLOW_STATE_ACTIVE);
}

/**
 * tcp_conn_event() - Record a connection event, log the transition
 * @conn:	Connection
 * @ev:		enum tcp_conn_ev bit to set
 */
void tcp_conn_event(struct tcp_conn *conn, uint16_t ev)
{
	unsigned i;

	if (conn->events & ev)
		return;
	conn->events |= ev;
	tcp_conn_flow_state(conn, ev);
	if (!log_enabled(LOG_DEBUG))
		return;
	for (i = 0; i < TCP_EV_NUM; i++) {
		if (ev & (1U << i))
			debug("TCP: connection %u: %s", tcp_conn_idx(conn),
			      tcp_conn_ev_name[i]);
	}
}
