/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_err.h - UDP socket errors and ICMP errors to the guest, internal to
 * udp*.c
 */

#ifndef UDP_ERR_H
#define UDP_ERR_H

#include "ctx.h"
#include "udp_internal.h"

void udp_sock_error(struct ctx *c, int fd, const struct udp_flow *f);

#endif /* UDP_ERR_H */
