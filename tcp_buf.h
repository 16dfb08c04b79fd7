/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_buf.h - TCP frames to the guest: pre-built headers, batches, offloads */

#ifndef TCP_BUF_H
#define TCP_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/uio.h>

#include "inany.h"
#include "ctx.h"

struct flowside;
struct tcp_conn;
struct tcp_seg;

void tcp_buf_init(void);
size_t tcp_buf_mss_max(const struct ctx *c, bool v6);
size_t tcp_buf_frame_get(struct ctx *c);
void tcp_buf_frame_unget(void);
void tcp_buf_frame_keep(size_t f);
uint8_t *tcp_buf_payload(size_t f);
void tcp_buf_frame_build(const struct ctx *c, struct tcp_conn *conn,
			 size_t f, uint8_t flags, uint32_t seq,
			 size_t optlen, size_t dlen);
size_t tcp_buf_peek_iov(struct ctx *c, const struct tcp_conn *conn,
			size_t avail, struct iovec *iov, size_t max,
			size_t *fsize);
void tcp_buf_data_queue(const struct ctx *c, struct tcp_conn *conn,
			size_t len, size_t fsize, bool fin);
void tcp_buf_send_flags(struct ctx *c, struct tcp_conn *conn, uint8_t flags);
void tcp_buf_flags_resume(struct ctx *c, struct tcp_conn *conn);
void tcp_buf_rst_no_conn(struct ctx *c, const struct flowside *tap,
			 const struct tcp_seg *seg);
void tcp_buf_flush(struct ctx *c);

#endif /* TCP_BUF_H */
