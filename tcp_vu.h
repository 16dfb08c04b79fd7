/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_vu.h - TCP data to a vhost-user guest, peeked into its buffers */

#ifndef TCP_VU_H
#define TCP_VU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "ctx.h"

struct tcp_conn;

size_t tcp_vu_peek_iov(struct ctx *c, const struct tcp_conn *conn,
		       size_t avail, struct iovec *iov, size_t max);
void tcp_vu_data_queue(struct ctx *c, struct tcp_conn *conn, size_t len,
		       bool fin);
void tcp_vu_flush(void);

#endif /* TCP_VU_H */
