/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap.h - Frames from the guest: input pipeline, pasta tap device, set-up */

#ifndef TAP_H
#define TAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <linux/virtio_net.h>

#include "ctx.h"
#include "tap_out.h"

struct iphdr;
struct ipv6hdr;
struct pool;

#define TAP_SEQS		128	/* Flows sorted per input batch */

void tap_handler_passt(struct ctx *c, uint32_t events,
		       const struct timespec *now);
void tap_handler_vu_cmd(struct ctx *c, uint32_t events);
void tap_handler_vu_kick(struct ctx *c, union epoll_ref ref,
			 const struct timespec *now);
void tap_handler_pasta(struct ctx *c, uint32_t events,
		       const struct timespec *now);

/**
 * enum tap_tun_err - Where tap_ns_tun() failed, as its return value
 * @TAP_TUN_OK:		Tap device created
 * @TAP_TUN_ERR_OPEN:	/dev/net/tun can't be opened (errno set)
 * @TAP_TUN_ERR_IFF:	TUNSETIFF refused (errno set)
 * @TAP_TUN_ERR_INDEX:	The device has no interface index
 *
 * Values other than 1, which ns_call() uses when it can't join the
 * namespace.
 */
enum tap_tun_err {
	TAP_TUN_OK = 0,
	TAP_TUN_ERR_OPEN = 2,
	TAP_TUN_ERR_IFF,
	TAP_TUN_ERR_INDEX,
};

int tap_ns_tun(void *arg);
void tap_backend_init(struct ctx *c);

#endif /* TAP_H */
