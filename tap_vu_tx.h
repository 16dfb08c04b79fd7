/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap_vu_tx.h - vhost-user: frames from the guest's transmit queue */

#ifndef TAP_VU_TX_H
#define TAP_VU_TX_H

#include <stdbool.h>
#include <stddef.h>

#include "ctx.h"

bool tap_vu_tx(struct ctx *c, size_t *off, size_t *n);
void tap_vu_tx_release(void);
void tap_vu_tx_done(size_t n);

#endif /* TAP_VU_TX_H */
