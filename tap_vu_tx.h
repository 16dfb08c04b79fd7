/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap_vu_tx.h - vhost-user: frames from the guest's transmit queue */

#ifndef TAP_VU_TX_H
#define TAP_VU_TX_H

#include <time.h>

#include "ctx.h"
#include "vhost_user.h"

void tap_vu_tx(struct ctx *c, struct vu_queue *q, const struct timespec *now);

#endif /* TAP_VU_TX_H */
