/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_ctl.h - TCP tap path: closing, resetting, counting, SYN options */

#ifndef TCP_CTL_H
#define TCP_CTL_H

#include <stdbool.h>
#include <stddef.h>

#include "ctx.h"
#include "tcp_conn.h"
#include "tcp_seg.h"

void tcp_drop_count(unsigned long long *reason, size_t n);
void tcp_sock_close(struct tcp_conn *conn, bool abort);
void tcp_rst(struct ctx *c, struct tcp_conn *conn);
void tcp_close_check(struct tcp_conn *conn);
void tcp_syn_opts_apply(const struct ctx *c, struct tcp_conn *conn,
			const struct tcp_seg *seg);

#endif /* TCP_CTL_H */
