// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_timer.c - TCP tap path: connection timers, retransmission, probes
 *
 * Each connection's timerfd (EPOLL_TYPE_TCP_TIMER) is armed and handled
 * here: handshake resends and timeout, the retransmission timer with its
 * exponential back-off and retry limit, zero-window probes and the idle
 * timeout. The timer's modes and how lazily it is re-armed are described
 * in the Theory of Operation in tcp.c. The data paths stay above, in
 * tcp.c: its tcp_timer_handler() reads the timerfd, and
 * tcp_timer_expire() here does what the timer alone can, and says what is
 * left for tcp.c (a delayed ACK, resending from the last acknowledged
 * byte). Resets and closing go through tcp_ctl.c.
 */

#include <time.h>
#include <sys/timerfd.h>

#include "tcp.h"
#include "tcp_buf.h"
#include "tcp_conn.h"
#include "tcp_ctl.h"
#include "tcp_timer.h"
#include "util.h"

/**
 * tcp_timer_arm() - Arm a connection's timer
 * @conn:	Connection; nothing is done if it was closed meanwhile
 * @ms:		Timeout, milliseconds
 *
 * #syscalls timerfd_settime
 */
void tcp_timer_arm(const struct tcp_conn *conn, unsigned long ms)
{
	struct itimerspec it = { 0 };

	if (tcp_conn_closed(conn) || conn->timer < 0)
		return;
	it.it_value.tv_sec = (time_t)(ms / 1000);
	it.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	if (timerfd_settime(conn->timer, 0, &it, NULL))
		debug_perror("TCP: timerfd_settime");
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
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_timer_handshake(struct ctx *c, struct tcp_conn *conn)
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
			return;
		}
		debug("TCP: connection %u: connect() timed out",
		      tcp_conn_idx(conn));
		tcp_rst(c, conn);
		return;
	}
	if (++conn->retries > TCP_SYN_RETRIES) {
		debug("TCP: connection %u: handshake timed out",
		      tcp_conn_idx(conn));
		tcp_rst(c, conn);
		return;
	}
	if (conn->events & TCP_EV_SYN_TO_TAP)
		tcp_buf_send_flags(c, conn, TCP_SYN);
	else
		tcp_buf_send_flags(c, conn, TCP_SYN | TCP_ACK);
	tcp_timer_arm(conn, (unsigned long)TCP_SYN_TIMEOUT_MS << conn->retries);
}

/**
 * tcp_zero_window_probe() - The guest's window is closed, data waits
 * @c:		Execution context
 * @conn:	Connection
 *
 * Resend the last byte's sequence number with no data, as a keepalive:
 * the guest answers with an ACK carrying its window, should the update
 * that reopens it have been lost. Backs off like retransmissions, without
 * a limit: a slow reader is no failure.
 */
static void tcp_zero_window_probe(struct ctx *c, struct tcp_conn *conn)
{
	conn->seq_to_tap--;
	tcp_buf_send_flags(c, conn, TCP_ACK);
	conn->seq_to_tap++;
	if (conn->retries < TCP_MAX_RETRIES)
		conn->retries++;
	tcp_timer_arm(conn, (unsigned long)TCP_RTO_MS << conn->retries);
}

/**
 * tcp_timer_data() - Timer expired on an established connection
 * @c:		Execution context
 * @conn:	Connection
 * @now:	Current time, seconds
 *
 * Return: what is left for tcp.c to do, see enum tcp_timer_act
 */
static enum tcp_timer_act tcp_timer_data(struct ctx *c, struct tcp_conn *conn,
					 time_t now)
{
	if (conn->seq_to_tap == conn->seq_ack_from_tap && !conn->wnd_from_tap &&
	    (conn->flags & TCP_F_SOCK_PENDING)) {
		tcp_zero_window_probe(c, conn);
		return TCP_TIMER_DONE;
	}
	if (conn->seq_to_tap == conn->seq_ack_from_tap &&
	    (conn->flags & TCP_F_SOCK_PENDING))
		return TCP_TIMER_RESEND;	/* Frames refused: tcp_timer_retry() */
	if (conn->seq_to_tap == conn->seq_ack_from_tap) {
		long idle = (long)((uint32_t)now - conn->active);

		if (idle >= TCP_IDLE_S)
			tcp_rst(c, conn);
		else
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
		tcp_rst(c, conn);
		return TCP_TIMER_DONE;
	}
	return TCP_TIMER_RETRANSMIT;
}

/**
 * tcp_timer_expire() - A connection's timer expired: act on it
 * @c:		Execution context
 * @conn:	Connection, timerfd read
 * @now:	Current time, seconds
 *
 * Return: what is left for tcp.c to do, see enum tcp_timer_act
 */
enum tcp_timer_act tcp_timer_expire(struct ctx *c, struct tcp_conn *conn,
				    time_t now)
{
	if (conn->flags & TCP_F_TIMER_ACK) {
		conn->flags = (uint8_t)(conn->flags & ~TCP_F_TIMER_ACK);
		return TCP_TIMER_ACK;
	}
	if (!(conn->events & TCP_EV_ESTABLISHED)) {
		tcp_timer_handshake(c, conn);
		return TCP_TIMER_DONE;
	}
	return tcp_timer_data(c, conn, now);
}
