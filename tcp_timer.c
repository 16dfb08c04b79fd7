// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_timer.c - TCP tap path: connection timers, retransmission, probes
 *
 * Theory of Operation
 *
 * Every connection of the tap path has one timer, armed and handled here:
 * handshake resends and timeout, the retransmission timer with its
 * exponential back-off and retry limit, zero-window probes, delayed ACKs
 * and the idle timeout. The timer's modes and how lazily it is re-armed
 * are described in the Theory of Operation in tcp.c. The data paths stay
 * above, in tcp.c: its tcp_timer_handler() takes the due connections from
 * here (tcp_timer_due_start(), _next(), _end()), and tcp_timer_expire()
 * does what the timer alone can (count retries, re-arm) and says what is
 * left for tcp.c: a delayed ACK, resending from the last acknowledged
 * byte, our SYN or SYN-ACK again, a zero-window probe, or a reset. Nothing
 * here sends a frame or closes a connection: this file lies below
 * tcp_buf.c, whose frames refused by the back-end arm the timer
 * (tcp_timer_retry()), and below tcp_ctl.c, and calls into tcp_timerq.c
 * only (see the tiers in tcp.c).
 *
 * The timers cost no descriptor each: a connection's timer is a deadline
 * in tcp_timerq.c's heap, and one timerfd, created by tcp_timer_init() at
 * start-up (EPOLL_TYPE_TCP_TIMER), is armed, with an absolute time, for
 * the earliest of them. It is set again only when a deadline comes that is
 * earlier than the one it holds (@armed below): moving or cancelling the
 * earliest deadline leaves it as it is, and an expiry that finds nothing
 * due just sets it for what comes first now. On expiry every connection
 * whose deadline has passed is handled in deadline order, each as its own
 * timerfd was before; deadlines set meanwhile lie in the future, so the
 * walk ends. tcp_conn_free() cancels a closing connection's deadline.
 *
 * Every open connection always has a deadline (the idle timeout at the
 * latest), so the heap is empty exactly when no connection is open; the
 * periodic tick then disarms a timerfd left set for a cancelled deadline
 * (tcp_timer_tidy()): a disarmed one-shot timerfd tells, from outside
 * (/proc/PID/fdinfo), that all connections have closed, which the tests
 * wait for (test/lib.sh, tcp_conns_gone()).
 */

#include <time.h>
#include <sys/timerfd.h>

#include "tcp_conn.h"
#include "tcp_timer.h"
#include "tcp_timerq.h"
#include "util.h"

#define TCP_TIMER_NS_PER_MS	1000000ULL
#define TCP_TIMER_NS_PER_S	1000000000ULL

/**
 * struct tcp_timer_state - The timerfd shared by all connections
 * @fd:		timerfd, CLOCK_MONOTONIC, -1 before tcp_timer_init()
 * @armed:	Absolute expiry it is set for, nanoseconds; 0 if disarmed
 * @expiring:	Deadlines are being handled: the timerfd is set after them
 */
static struct tcp_timer_state {
	int fd;
	uint64_t armed;
	bool expiring;
} tcp_timer_st = { .fd = -1 };

/**
 * tcp_timer_now() - Current time for deadlines
 *
 * Return: CLOCK_MONOTONIC, nanoseconds
 *
 * #syscalls clock_gettime
 */
static uint64_t tcp_timer_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * TCP_TIMER_NS_PER_S + (uint64_t)ts.tv_nsec;
}

/**
 * tcp_timer_set() - Set the shared timerfd for an absolute time
 * @at:		Expiry, nanoseconds (CLOCK_MONOTONIC), not 0
 *
 * #syscalls timerfd_settime
 */
static void tcp_timer_set(uint64_t at)
{
	struct itimerspec it = { 0 };

	it.it_value.tv_sec = (time_t)(at / TCP_TIMER_NS_PER_S);
	it.it_value.tv_nsec = (long)(at % TCP_TIMER_NS_PER_S);
	if (timerfd_settime(tcp_timer_st.fd, TFD_TIMER_ABSTIME, &it, NULL)) {
		debug_perror("TCP: timerfd_settime");
		return;
	}
	tcp_timer_st.armed = at;
}

/**
 * tcp_timer_init() - Create the timerfd shared by all connections (set-up)
 * @c:		Execution context
 */
void tcp_timer_init(const struct ctx *c)
{
	tcp_timer_st.fd = timerfd_create(CLOCK_MONOTONIC,
					 TFD_NONBLOCK | TFD_CLOEXEC);
	if (tcp_timer_st.fd < 0)
		die_perror("Can't create the TCP timer");
	if (epoll_add(c, tcp_timer_st.fd, EPOLLIN,
		      epoll_ref_make(EPOLL_TYPE_TCP_TIMER, tcp_timer_st.fd, 0)))
		die("Can't add the TCP timer to epoll");
}

/**
 * tcp_timer_tidy() - Disarm the timerfd if no connection has a deadline
 *
 * Called from the periodic tick: after the last connection closed, the
 * timerfd may still be set for its cancelled deadline, hours away.
 *
 * #syscalls timerfd_settime
 */
void tcp_timer_tidy(void)
{
	struct itimerspec it = { 0 };
	uint64_t first;

	if (!tcp_timer_st.armed || tcp_timerq_first(&first))
		return;
	if (timerfd_settime(tcp_timer_st.fd, 0, &it, NULL)) {
		debug_perror("TCP: timerfd_settime");
		return;
	}
	tcp_timer_st.armed = 0;
}

/**
 * tcp_timer_arm() - Arm a connection's timer
 * @conn:	Connection; nothing is done if it was closed meanwhile
 * @ms:		Timeout, milliseconds
 *
 * Re-arming replaces the deadline set before, as timerfd_settime() would.
 */
void tcp_timer_arm(const struct tcp_conn *conn, unsigned long ms)
{
	uint64_t at;

	if (tcp_conn_closed(conn))
		return;
	at = tcp_timer_now() + (uint64_t)ms * TCP_TIMER_NS_PER_MS;
	tcp_timerq_set(tcp_conn_idx(conn), at);
	if (!tcp_timer_st.expiring &&
	    (!tcp_timer_st.armed || at < tcp_timer_st.armed))
		tcp_timer_set(at);
}

/**
 * tcp_timer_rto() - Start the retransmission timer from the current ACK
 * @conn:	Connection
 */
static void tcp_timer_rto(struct tcp_conn *conn)
{
	conn->seq_timer = conn->seq_ack_from_tap;
	conn->retries = 0;
	tcp_timer_arm(conn, TCP_RTO_MS);
}

/**
 * tcp_timer_idle() - Arm the idle timeout for the time left of it
 * @conn:	Connection, nothing in flight
 * @idle:	Seconds since the last activity, under TCP_IDLE_S
 */
static void tcp_timer_idle(struct tcp_conn *conn, long idle)
{
	conn->flags |= TCP_F_TIMER_IDLE;
	tcp_timer_arm(conn, (unsigned long)MAX(TCP_IDLE_S - idle, 1) * 1000);
}

/**
 * tcp_timer_busy() - Switch the timer from idle to retransmission if needed
 * @conn:	Connection, with data or a FIN possibly unacknowledged
 */
void tcp_timer_busy(struct tcp_conn *conn)
{
	if (!(conn->flags & TCP_F_TIMER_IDLE) ||
	    conn->seq_to_tap == conn->seq_ack_from_tap)
		return;
	conn->flags &= (uint8_t)~TCP_F_TIMER_IDLE;
	tcp_timer_rto(conn);
}

/**
 * tcp_timer_retry() - Data is pending with nothing in flight: retry soon
 * @conn:	Connection, established
 *
 * The tap back-end refused our frames while the guest had acknowledged all
 * it got: no ACK will come to send them again, the timer does. A delayed
 * ACK armed already leads to the same on expiry (tcp_timer_resume()).
 */
void tcp_timer_retry(struct tcp_conn *conn)
{
	if (conn->flags & TCP_F_TIMER_ACK)
		return;
	conn->flags &= (uint8_t)~TCP_F_TIMER_IDLE;
	tcp_timer_arm(conn, TCP_RTO_MS);
}

/**
 * tcp_timer_ack() - Make the timer expire soon for a delayed ACK
 * @conn:	Connection, established
 *
 * Whatever the timer was armed for is set up again on expiry
 * (tcp_timer_resume()); while it is armed for the ACK, further calls, and
 * tcp_timer_busy(), cost nothing. Not while our data is in flight: that
 * would keep pushing the retransmission back.
 *
 * Return: true if the ACK can wait, false if it should go now
 */
bool tcp_timer_ack(struct tcp_conn *conn)
{
	if (conn->flags & TCP_F_TIMER_ACK)
		return true;
	if (conn->seq_to_tap != conn->seq_ack_from_tap)
		return false;
	conn->flags |= TCP_F_TIMER_ACK;
	conn->flags &= (uint8_t)~TCP_F_TIMER_IDLE;
	tcp_timer_arm(conn, TCP_ACK_DELAY_MS);
	return true;
}

/**
 * tcp_timer_resume() - After a delayed ACK, arm the timer for what is due
 * @conn:	Connection, established
 * @now:	Current time, seconds
 *
 * Retransmission (or zero-window probe, or retry) timer, restarted, if
 * anything is in flight or waiting to be sent, else the idle timeout.
 */
void tcp_timer_resume(struct tcp_conn *conn, time_t now)
{
	long idle = (long)((uint32_t)now - conn->active);

	if (conn->seq_to_tap != conn->seq_ack_from_tap ||
	    (conn->flags & TCP_F_SOCK_PENDING))
		tcp_timer_rto(conn);
	else
		tcp_timer_idle(conn, idle);
}

/**
 * tcp_timer_handshake() - Timer expired before the handshake completed
 * @conn:	Connection
 *
 * Return: TCP_TIMER_SYN to resend our SYN or SYN-ACK, TCP_TIMER_RST once
 * connect() or the handshake timed out, else TCP_TIMER_DONE
 */
static enum tcp_timer_act tcp_timer_handshake(struct tcp_conn *conn)
{
	bool resend = conn->events & (TCP_EV_SYN_TO_TAP |
				      TCP_EV_SYNACK_TO_TAP);

	if (!resend) {
		/* connect() still pending: the same timer, every
		 * TCP_SYN_TIMEOUT_MS, up to TCP_CONNECT_TIMEOUT_MS in all
		 */
		if (++conn->retries < TCP_CONNECT_TIMEOUT_MS /
				      TCP_SYN_TIMEOUT_MS) {
			tcp_timer_arm(conn, TCP_SYN_TIMEOUT_MS);
			return TCP_TIMER_DONE;
		}
		debug("TCP: connection %u: connect() timed out",
		      tcp_conn_idx(conn));
		return TCP_TIMER_RST;
	}
	if (++conn->retries > TCP_SYN_RETRIES) {
		debug("TCP: connection %u: handshake timed out",
		      tcp_conn_idx(conn));
		return TCP_TIMER_RST;
	}
	return TCP_TIMER_SYN;
}

/**
 * tcp_timer_data() - Timer expired on an established connection
 * @conn:	Connection
 * @now:	Current time, seconds
 *
 * Return: what is left for tcp.c to do, see enum tcp_timer_act
 */
static enum tcp_timer_act tcp_timer_data(struct tcp_conn *conn, time_t now)
{
	if (conn->seq_to_tap == conn->seq_ack_from_tap && !conn->wnd_from_tap &&
	    (conn->flags & TCP_F_SOCK_PENDING))
		return TCP_TIMER_PROBE;
	if (conn->seq_to_tap == conn->seq_ack_from_tap &&
	    (conn->flags & TCP_F_SOCK_PENDING))
		return TCP_TIMER_RESEND;	/* Frames refused: tcp_timer_retry() */
	if (conn->seq_to_tap == conn->seq_ack_from_tap) {
		long idle = (long)((uint32_t)now - conn->active);

		if (idle >= TCP_IDLE_S)
			return TCP_TIMER_RST;
		tcp_timer_idle(conn, idle);
		return TCP_TIMER_DONE;
	}
	conn->flags &= (uint8_t)~TCP_F_TIMER_IDLE;
	if (conn->seq_ack_from_tap != conn->seq_timer) {
		tcp_timer_rto(conn);
		return TCP_TIMER_DONE;
	}
	if (++conn->retries > TCP_MAX_RETRIES) {
		debug("TCP: connection %u: retransmissions exhausted",
		      tcp_conn_idx(conn));
		return TCP_TIMER_RST;
	}
	return TCP_TIMER_RETRANSMIT;
}

/**
 * tcp_timer_expire() - A connection's timer expired: decide what to do
 * @conn:	Connection, its deadline taken (tcp_timer_due_next())
 * @now:	Current time, seconds
 *
 * Return: what is left for tcp.c to do, see enum tcp_timer_act
 */
enum tcp_timer_act tcp_timer_expire(struct tcp_conn *conn, time_t now)
{
	if (conn->flags & TCP_F_TIMER_ACK) {
		conn->flags = (uint8_t)(conn->flags & ~TCP_F_TIMER_ACK);
		return TCP_TIMER_ACK;
	}
	if (!(conn->events & TCP_EV_ESTABLISHED))
		return tcp_timer_handshake(conn);
	return tcp_timer_data(conn, now);
}

/**
 * tcp_timer_due_start() - The shared timerfd expired: start taking what is due
 * @ref:	Epoll reference of the timerfd
 * @now:	Current time, nanoseconds (CLOCK_MONOTONIC) (output)
 *
 * Return: true if the timerfd was read: call tcp_timer_due_next() until it
 * returns NULL, then tcp_timer_due_end()
 *
 * #syscalls read
 */
bool tcp_timer_due_start(union epoll_ref ref, uint64_t *now)
{
	uint64_t exp;

	if (ref.fd != tcp_timer_st.fd ||
	    read(tcp_timer_st.fd, &exp, sizeof(exp)) < 0)
		return false;
	*now = tcp_timer_now();
	tcp_timer_st.armed = 0;
	tcp_timer_st.expiring = true;
	return true;
}

/**
 * tcp_timer_due_next() - Next connection whose deadline has passed
 * @now:	Time tcp_timer_due_start() gave, nanoseconds
 *
 * Return: connection, its deadline taken off the heap, or NULL when none
 * is left (closed connections' deadlines are skipped)
 */
struct tcp_conn *tcp_timer_due_next(uint64_t now)
{
	struct tcp_conn *conn;
	uint32_t idx;

	while (tcp_timerq_pop(now, &idx)) {
		conn = tcp_conn_of(flow_at(idx));
		if (conn && !tcp_conn_closed(conn))
			return conn;
	}
	return NULL;
}

/**
 * tcp_timer_due_end() - Done with what was due: set the timerfd again
 */
void tcp_timer_due_end(void)
{
	uint64_t first;

	tcp_timer_st.expiring = false;
	if (tcp_timerq_first(&first))
		tcp_timer_set(first);
}
