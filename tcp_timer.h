/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_timer.h - Timers of TCP tap-path connections, one shared timerfd */

#ifndef TCP_TIMER_H
#define TCP_TIMER_H

#include <time.h>

#include "ctx.h"
#include "tcp_conn.h"

#define TCP_RTO_MS		1000	/* Initial retransmission timeout */
#define TCP_MAX_RETRIES		7
#define TCP_SYN_TIMEOUT_MS	2000	/* SYN to the guest, first resend */
#define TCP_SYN_RETRIES		3
#define TCP_CONNECT_TIMEOUT_MS	30000	/* Outbound connect() */
#define TCP_IDLE_S		7200	/* Idle connections are reset */
#define TCP_ACK_DELAY_MS	5	/* Longest wait for a delayed ACK */

/**
 * enum tcp_timer_act - What tcp_timer_expire() leaves to tcp.c
 * @TCP_TIMER_DONE:		Nothing (the timer is armed again)
 * @TCP_TIMER_ACK:		Send the delayed ACK if still due, then
 *				tcp_timer_resume()
 * @TCP_TIMER_RESEND:		Frames were refused: resend from the last
 *				acknowledged byte, then tcp_timer_resume()
 * @TCP_TIMER_RETRANSMIT:	Retransmission timeout: resend from the last
 *				acknowledged byte, then re-arm with back-off
 * @TCP_TIMER_PROBE:		Guest's window closed, data waiting: send a
 *				zero-window probe, then re-arm with back-off
 * @TCP_TIMER_SYN:		Handshake: send our SYN, or SYN-ACK, again,
 *				then re-arm with back-off
 * @TCP_TIMER_RST:		Timed out (connect(), handshake, retries,
 *				idle): reset the connection
 */
enum tcp_timer_act {
	TCP_TIMER_DONE,
	TCP_TIMER_ACK,
	TCP_TIMER_RESEND,
	TCP_TIMER_RETRANSMIT,
	TCP_TIMER_PROBE,
	TCP_TIMER_SYN,
	TCP_TIMER_RST,
};

void tcp_timer_init(const struct ctx *c);
bool tcp_timer_due_start(union epoll_ref ref, uint64_t *now);
struct tcp_conn *tcp_timer_due_next(uint64_t now);
void tcp_timer_due_end(void);
void tcp_timer_tidy(void);
void tcp_timer_arm(const struct tcp_conn *conn, unsigned long ms);
void tcp_timer_busy(struct tcp_conn *conn);
void tcp_timer_retry(struct tcp_conn *conn);
bool tcp_timer_ack(struct tcp_conn *conn);
void tcp_timer_resume(struct tcp_conn *conn, time_t now);
enum tcp_timer_act tcp_timer_expire(struct tcp_conn *conn, time_t now);

#endif /* TCP_TIMER_H */
