/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap_passt.h - passt back-end: qemu's UNIX stream socket */

#ifndef TAP_PASST_H
#define TAP_PASST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/uio.h>

#include "ctx.h"

/**
 * enum tap_passt_read - What tap_passt_read() found
 * @TAP_PASST_FRAMES:	Data read, frames added to the input pool
 * @TAP_PASST_RETRY:	Interrupted: read again
 * @TAP_PASST_AGAIN:	Nothing left to read now
 * @TAP_PASST_GONE:	The client left, or its socket failed: reset
 */
enum tap_passt_read {
	TAP_PASST_FRAMES,
	TAP_PASST_RETRY,
	TAP_PASST_AGAIN,
	TAP_PASST_GONE,
};

void tap_listen_handler(struct ctx *c, uint32_t events);
enum tap_passt_read tap_passt_read(struct ctx *c, size_t *used);
void tap_passt_keep(struct ctx *c, size_t used);
bool tap_passt_writable(struct ctx *c);
void tap_sock_reset(struct ctx *c);
void tap_sock_init(struct ctx *c);
size_t tap_send_passt(struct ctx *c, const struct iovec *iov, size_t bpf,
		      size_t nframes);

#endif /* TAP_PASST_H */
