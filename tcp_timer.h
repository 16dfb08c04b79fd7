/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_timer.h - Timers of TCP tap-path connections, one shared timerfd */

#ifndef TCP_TIMER_H
#define TCP_TIMER_H

#include "tcp_conn.h"

#define TCP_RTO_MS		1000	/* Initial retransmission timeout */
#define TCP_MAX_RETRIES		7
#define TCP_SYN_TIMEOUT_MS	2000	/* SYN to the guest, first resend */
#define TCP_SYN_RETRIES		3
#define TCP_CONNECT_TIMEOUT_MS	30000	/* Outbound connect() */
#define TCP_IDLE_S		7200	/* Idle connections are reset */
#define TCP_ACK_DELAY_MS	5	/* Longest wait for a delayed ACK */

void tcp_timer_init(const struct ctx *c);
void tcp_timer_handler(struct ctx *c, union epoll_ref ref);
void tcp_timer_tidy(void);
void tcp_timer_arm(const struct tcp_conn *conn, unsigned long ms);
void tcp_timer_busy(struct tcp_conn *conn);
void tcp_timer_retry(struct tcp_conn *conn);
bool tcp_timer_ack(struct tcp_conn *conn);

#endif /* TCP_TIMER_H */
